"""Originals mailed with the transfer slip (原件随转办单寄送): the station's mailing record.

Some guides require the original of a material (e.g. the 户口簿) to reach the deciding
department by post. Village staff enter the mail tracking number at the kiosk (assist
mode); the record is queued offline and sent exactly once under its ``mailing_uuid``,
like a handover, and the server keeps it on the case: the department's originals view
and the transfer slip (附录 B) show it. One mailing per case: everything goes in one
envelope with the slip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from .base import SchemaModel
from .bounds import PERSON_NAME_LEN, STATION_CODE_LEN, Instant, text
from .submission import ReceiptNo

TRACKING_NO_LEN = 32
TRACKING_NO = r"^[0-9A-Z]{6,32}$"  # EMS "EA123456789CN", SF "SF1234567890123", digits only …


def normalize_tracking_no(value: str) -> str:
    """As staff type it: spaces and dashes dropped, letters upper-cased."""
    return "".join(ch for ch in value if ch not in " -\t").upper()


def originals_to_mail(
    guide_materials: Iterable[Mapping[str, Any]], handed_in: Iterable[str | None]
) -> dict[str, str]:
    """Code → name of the materials handed in whose original the guide says is mailed
    (``original_by_mail``), in the order they were handed in."""
    marked = {m["code"]: m["name"] for m in guide_materials if m.get("original_by_mail")}
    return {code: marked[code] for code in dict.fromkeys(c for c in handed_in if c in marked) if code}


class OriginalMailing(SchemaModel):
    """``POST /original-mailings``: the originals of a case went by post, with this tracking number."""

    mailing_uuid: UUID
    receipt_no: ReceiptNo
    station_code: Annotated[str, text(STATION_CODE_LEN)]
    tracking_no: str = Field(
        pattern=TRACKING_NO, max_length=TRACKING_NO_LEN, description="the mail tracking number (快递单号)"
    )
    recorded_by: Annotated[str, text(PERSON_NAME_LEN, min_length=1)] = Field(description="village staff")
    mailed_at: Instant


class OriginalMailingAck(SchemaModel):
    """The signed acknowledgement; a replay gets the same bytes again."""

    mailing_uuid: UUID
    receipt_no: str
    tracking_no: str
    materials: list[str] = Field(description="requirement codes of the originals this mailing covers")
    received_at: datetime
