"""Receipt numbers (受理编号) issued offline and unique city-wide.

``<station_code>-<kiosk_short>-<YYYYMMDD>-<seq>``: the station code is unique in the
city, the kiosk short code is unique within its station (assigned at enrollment), and the
per-day sequence is bumped in the same transaction that stores the draft, so a crash can
never hand the same number out twice.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema.submission import RECEIPT_NO

from .models import ReceiptCounter

#: China has one time zone and no daylight saving: the date printed is Beijing's.
CHINA_TZ = timezone(timedelta(hours=8), "CST")
MAX_SEQ = 999_999
_RECEIPT = re.compile(RECEIPT_NO)


class ReceiptNumbersExhausted(Exception):
    """More than 999,999 submissions in one day on one kiosk."""


def format_receipt_no(station_code: str, kiosk_short: str, day: date, seq: int) -> str:
    number = f"{station_code.upper()}-{kiosk_short.upper()}-{day:%Y%m%d}-{seq:04d}"
    if not _RECEIPT.match(number):
        raise ValueError(f"receipt number {number!r} does not match the shared pattern")
    return number


def today_in_china(now: datetime | None = None) -> date:
    return (now or datetime.now(CHINA_TZ)).astimezone(CHINA_TZ).date()


def issue_receipt_no(session: Session, station_code: str, kiosk_short: str, day: date) -> str:
    """Bump the day's counter inside the caller's (write) transaction and format the number."""
    key = f"{day:%Y%m%d}"
    counter = session.scalars(select(ReceiptCounter).where(ReceiptCounter.day == key)).one_or_none()
    if counter is None:
        counter = ReceiptCounter(day=key, last_seq=0)
        session.add(counter)
    if counter.last_seq >= MAX_SEQ:
        raise ReceiptNumbersExhausted(f"no receipt numbers left for {key}")
    counter.last_seq += 1
    session.flush()
    return format_receipt_no(station_code, kiosk_short, day, counter.last_seq)


def raise_counter(session: Session, receipt_no: str) -> None:
    """Make sure the counter is past ``receipt_no`` (used when rebuilding after corruption)."""
    day, seq = receipt_no.rsplit("-", 2)[-2:]
    counter = session.get(ReceiptCounter, day)
    if counter is None:
        session.add(ReceiptCounter(day=day, last_seq=int(seq)))
    elif counter.last_seq < int(seq):
        counter.last_seq = int(seq)
    session.flush()
