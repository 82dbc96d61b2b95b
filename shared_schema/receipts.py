"""Whose a receipt number (受理编号) is: the kiosk and the server read it the same way.

``<STATION>-<KIOSK SHORT>-<YYYYMMDD>-<seq>`` (``kiosk/receipt_no.py`` issues them): the
prefix up to the date names the one kiosk that may use the number, so the server can
refuse a kiosk that takes another's (docs/sync-protocol.md).
"""

from __future__ import annotations

import re

from .submission import RECEIPT_NO

_RECEIPT = re.compile(RECEIPT_NO)


def kiosk_short_of(kiosk_id: str) -> str:
    """A receipt-safe short code: upper-case letters and digits, at most 8 (the tail)."""
    cleaned = re.sub(r"[^0-9A-Z]", "", kiosk_id.upper())
    if not cleaned:
        raise ValueError(f"kiosk id {kiosk_id!r} has no letters or digits")
    return cleaned[-8:]


def receipt_prefix(station_code: str, kiosk_id: str) -> str:
    """The start every receipt number of this kiosk has, up to and including the dash
    before the date."""
    return f"{station_code.upper()}-{kiosk_short_of(kiosk_id)}-"


def receipt_day_and_seq(receipt_no: str) -> tuple[str, int]:
    """``("YYYYMMDD", seq)`` of a well-formed receipt number (ValueError otherwise)."""
    if not _RECEIPT.match(receipt_no):
        raise ValueError(f"not a receipt number: {receipt_no!r}")
    day, seq = receipt_no.rsplit("-", 2)[-2:]
    return day, int(seq)
