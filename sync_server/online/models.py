"""Tables of the online channel: one-time sign-in codes, resident sessions, lockouts.

All of it lives in the database, never in process memory: several server nodes share
one database (issue 16), so a lockout counted on one node holds on every other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UtcDateTime, utcnow


class SignInCode(Base):
    """A one-time SMS code; only its salted hash is kept, and it dies after a few tries."""

    __tablename__ = "online_sign_in_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    salt: Mapped[str] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ResidentSession(Base):
    """A signed-in resident; the cookie holds a random token, we keep its SHA-256."""

    __tablename__ = "online_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    remote_addr: Mapped[str | None] = mapped_column(String(64))


class Throttle(Base):
    """Failures (or code requests) counted per key in a window, and a lock once too many.

    Keys name what is counted and for whom: ``verify:phone:<n>``, ``verify:client:<addr>``,
    ``send:phone:<n>``, ``send:client:<addr>``.
    """

    __tablename__ = "online_throttles"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
