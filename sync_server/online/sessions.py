"""Resident sessions: a random cookie token, its SHA-256 in the database, idle and absolute expiry.

The same rules as staff sessions (``workspace/sessions.py``, whose token hashing and CSRF
comparison are reused): signing in always starts a new session and ends the presented
one (no fixation); signing out deletes the row, so a copied cookie stops working.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..db import utcnow
from ..workspace.sessions import SessionPolicy, hash_token
from .models import ResidentSession

TOUCH_EVERY = timedelta(seconds=60)
POLICY = SessionPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=8))


def start(session: Session, phone: str, remote_addr: str | None, previous: str | None) -> str:
    """A fresh session for ``phone``; returns the cookie token."""
    if previous:
        end(session, previous)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        ResidentSession(
            token_hash=hash_token(token), phone=phone, csrf_token=secrets.token_urlsafe(32),
            created_at=now, last_seen_at=now, remote_addr=(remote_addr or "")[:64],
        )
    )  # fmt: skip
    session.flush()
    return token


def find(session: Session, token: str | None) -> ResidentSession | None:
    if not token or len(token) > 100:
        return None
    return session.scalar(select(ResidentSession).where(ResidentSession.token_hash == hash_token(token)))


def assess(row: ResidentSession, policy: SessionPolicy, now: datetime | None = None) -> str:
    """``ok``, ``touch`` (ok, but record the use) or ``expired``."""
    now = now or utcnow()
    if now - row.last_seen_at > policy.idle or now - row.created_at > policy.absolute:
        return "expired"
    return "touch" if now - row.last_seen_at > TOUCH_EVERY else "ok"


def touch(session: Session, session_id: int) -> None:
    at = utcnow()
    session.execute(update(ResidentSession).where(ResidentSession.id == session_id).values(last_seen_at=at))


def drop(session: Session, session_id: int) -> None:
    session.execute(delete(ResidentSession).where(ResidentSession.id == session_id))


def end(session: Session, token: str) -> None:
    session.execute(delete(ResidentSession).where(ResidentSession.token_hash == hash_token(token)))
