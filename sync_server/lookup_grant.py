"""The grant an online 补正 lookup gives another station's kiosk, valid for a bounded time.

A grant is ``<expires>.<mac>``: the expiry (Unix seconds) in clear and an HMAC-SHA256 of
kiosk, receipt and expiry under the installation's lookup key, so the server keeps no
state for it and nobody can stretch it. It lets that one kiosk send supplements for that
one case until it expires (``SUPPLEMENT_GRANT_SECONDS``); after that the resident looks
the case up again. The supplement is taken right after the lookup, so the lifetime only
has to cover a sync delayed by an outage at the station.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from .config import whole_number
from .id_lookup import lookup_key

MAX_EXPIRY_DIGITS = 12  # Unix seconds until the year 33658: anything longer is not ours
# SUPPLEMENT_GRANT_SECONDS (default 72 h, config.py) must lie in these bounds: a grant
# shorter than a sync round is useless, one longer than a month is as good as unbounded.
MIN_LIFETIME = timedelta(minutes=10)
MAX_LIFETIME = timedelta(days=30)


class GrantCheck(Enum):
    valid = "valid"
    expired = "expired"
    invalid = "invalid"


def lifetime(config: Any) -> timedelta:
    """``SUPPLEMENT_GRANT_SECONDS`` as a lifetime; ValueError (at start-up) when it is not a
    whole number of seconds within the bounds above."""
    low, high = int(MIN_LIFETIME.total_seconds()), int(MAX_LIFETIME.total_seconds())
    key = "SUPPLEMENT_GRANT_SECONDS"
    return timedelta(seconds=whole_number(key, config[key], low, high, " of seconds"))


def issue(session: Session, kiosk_id: str, receipt_no: str, now: datetime, lifetime: timedelta) -> str:
    """A grant for ``kiosk_id`` to supplement ``receipt_no`` until ``now + lifetime``."""
    expires = int((now + lifetime).timestamp())
    return f"{expires}.{_mac(session, kiosk_id, receipt_no, expires)}"


def check(session: Session, grant: str | None, kiosk_id: str, receipt_no: str, now: datetime) -> GrantCheck:
    """Whether ``grant`` was issued to this kiosk for this case and has not expired yet."""
    expires_text, _, mac = (grant or "").partition(".")
    if not (expires_text.isascii() and expires_text.isdigit()) or len(expires_text) > MAX_EXPIRY_DIGITS:
        return GrantCheck.invalid
    expires = int(expires_text)
    expected = _mac(session, kiosk_id, receipt_no, expires)
    if not hmac.compare_digest(expected.encode(), mac.encode("utf-8", "replace")):
        return GrantCheck.invalid
    if now >= datetime.fromtimestamp(expires, UTC):
        return GrantCheck.expired
    return GrantCheck.valid


def _mac(session: Session, kiosk_id: str, receipt_no: str, expires: int) -> str:
    message = f"supplement|{kiosk_id}|{receipt_no}|{expires}".encode()
    return hmac.new(lookup_key(session.connection()), message, hashlib.sha256).hexdigest()
