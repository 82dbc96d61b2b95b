"""Server-side login sessions and their CSRF tokens.

The cookie carries a random 256-bit token; the database keeps its SHA-256, the user, a
per-session CSRF token and the last time it was used. A login always starts a new
session (and ends the one the browser presented): no session fixation. Sessions end
after ``idle`` without use and after ``absolute`` in any case; ending one deletes its row,
so a stolen cookie stops working at logout.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..db import utcnow
from .models import StaffSession, StaffUser

TOUCH_EVERY = timedelta(seconds=60)  # write last_seen_at at most once a minute


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start_session(
    session: Session, user: StaffUser, remote_addr: str | None, previous_token: str | None = None
) -> tuple[str, StaffSession]:
    """A fresh session for ``user``; the presented one (if any) is ended."""
    if previous_token:
        end_session(session, previous_token)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = StaffSession(
        token_hash=hash_token(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        remote_addr=(remote_addr or "")[:64],
    )
    session.add(row)
    session.flush()
    return token, row


def find_session(session: Session, token: str | None) -> StaffSession | None:
    if not token:
        return None
    return session.scalar(select(StaffSession).where(StaffSession.token_hash == hash_token(token)))


def assess(row: StaffSession, policy: SessionPolicy, now: datetime | None = None) -> str:
    """``ok``, ``touch`` (ok, but record the use) or ``expired``."""
    now = now or utcnow()
    if now - row.last_seen_at > policy.idle or now - row.created_at > policy.absolute or not row.user.active:
        return "expired"
    return "touch" if now - row.last_seen_at > TOUCH_EVERY else "ok"


def touch(session: Session, session_id: int, now: datetime | None = None) -> None:
    session.execute(
        update(StaffSession).where(StaffSession.id == session_id).values(last_seen_at=now or utcnow())
    )


def drop(session: Session, session_id: int) -> None:
    session.execute(delete(StaffSession).where(StaffSession.id == session_id))


def end_session(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == hash_token(token)))


def end_all_sessions(session: Session, user_id: int) -> None:
    session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))
