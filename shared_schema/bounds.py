"""Bounds every request field shares with where it ends up: a column, a JSON document, a calendar.

One source for both sides: the server's columns (``sync_server/models``) take their
lengths from the constants here and the request models their ``max_length``, so a value
the models accept always fits its column — on PostgreSQL too, which refuses what SQLite
silently stores (a string longer than its ``VARCHAR``, a NUL character, an integer past
its column's width). The kiosk builds the same models, so it refuses bad data before it
is queued, and the server answers 422 instead of a database error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

# Integer column widths (PostgreSQL INTEGER and BIGINT; SQLite stores 64-bit at most).
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1

# Column lengths (VARCHAR(n)) of values a kiosk sends.
KIOSK_ID_LEN = 8
STATION_CODE_LEN = 16
RECEIPT_NO_LEN = 40
MATTER_CODE_LEN = 50
REQUIREMENT_CODE_LEN = 50
CATALOG_VERSION_LEN = 32
PERSON_NAME_LEN = 100
KIOSK_NAME_LEN = 100
PROFILE_LEN = 40
APP_VERSION_LEN = 40
LAST_ERROR_LEN = 500
ENROLLMENT_CODE_LEN = 40
IDENTITY_LEN = 40  # an ID number or USCC as typed (spaces allowed), before normalising

# Strings kept only inside a stored JSON document (the manifest): bounded all the same.
ADDRESS_LEN = 200
SHORT_TEXT_LEN = 200
MESSAGE_LEN = 1000
COMMENT_LEN = 500
PROMISE_TEXT_LEN = 4000
OCR_TEXT_LEN = 20_000
CODE_LEN = 64
GRANT_LEN = 80  # a 补正 lookup grant: expiry (Unix seconds) "." HMAC-SHA256 hex
PROTOCOL_VERSION_LEN = 16
# Lists and maps: materials, issues and answers per manifest, pages per material; a
# page's side in pixels (a 600 dpi A3 scan is under 10,000).
MAX_ITEMS = 200
MAX_PAGES = 500
MAX_PIXELS = 100_000

# Earliest and latest instant a request may name: the working-day calendar counts within
# these years (a deadline near year 9999 overflows Python's date), and nothing a kiosk
# records honestly lies outside them.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)

# No NUL: PostgreSQL refuses it in TEXT, VARCHAR and JSONB alike. The pattern also makes
# pydantic refuse lone surrogates (``"\ud800"``), which no database can encode.
NO_NUL = r"^[^\x00]*$"


def text(max_length: int, *, min_length: int = 0) -> StringConstraints:
    """``Annotated[str, text(n)]``: at most ``n`` characters and no NUL."""
    return StringConstraints(min_length=min_length or None, max_length=max_length, pattern=NO_NUL)


def _in_range(moment: datetime) -> datetime:
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"must lie in [{EARLIEST.date()}, {LATEST.date()}) (UTC)")
    return moment


Instant = Annotated[
    AwareDatetime,
    AfterValidator(_in_range),
    Field(description=f"with a timezone; {EARLIEST.date()} ≤ instant < {LATEST.date()} (UTC)"),
]
"""A timestamp a kiosk sends: timezone required, inside the calendar's years."""

Int32 = Annotated[int, Field(ge=0, le=INT32_MAX)]
Int64 = Annotated[int, Field(ge=0, le=INT64_MAX)]
