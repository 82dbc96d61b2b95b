"""Tables of the online channel: sign-in codes, sessions, lockouts, applications, uploads.

All of it lives in the database, never in process memory: several server nodes share
one database (issue 16), so a lockout counted on one node holds on every other.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shared_schema.bounds import CATALOG_VERSION_LEN, MATTER_CODE_LEN, RECEIPT_NO_LEN, REQUIREMENT_CODE_LEN

from ..db import Base, JsonType, UtcDateTime, utcnow


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


class Application(Base):
    """An online application being filled in (网上申请); submitted once, by its manifest.

    ``client_uuid`` is fixed when the draft starts and ``receipt_no`` when it is first
    submitted, so a double-tapped submit sends the very same manifest twice: the ingest
    treats the second as a replay (one case).
    """

    __tablename__ = "online_applications"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    matter_code: Mapped[str] = mapped_column(String(MATTER_CODE_LEN))
    catalog_version: Mapped[str] = mapped_column(String(CATALOG_VERSION_LEN))
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    applicant: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    answers: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    delivery: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    promise_text: Mapped[str | None] = mapped_column(Text)
    promise_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    receipt_no: Mapped[str | None] = mapped_column(String(RECEIPT_NO_LEN), unique=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class UploadedPage:
    """The columns of a page a resident uploaded (stored blob + the scan job reading it),
    shared by an application's pages and a correction's (``correction_pages``)."""

    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ApplicationPage(UploadedPage, Base):
    """One page uploaded for a required material, with the scan job that reads it."""

    __tablename__ = "online_application_pages"
    __table_args__ = (UniqueConstraint("application_id", "requirement_code", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[str] = mapped_column(
        ForeignKey("online_applications.id", ondelete="CASCADE"), index=True
    )
    requirement_code: Mapped[str] = mapped_column(String(REQUIREMENT_CODE_LEN))


class Upload(Base):
    """A resumable upload: the bytes so far sit in a part file; ``received`` is the offset.

    ``target`` says what the finished file is for (``apply:<application>:<requirement>``;
    other pages may use their own prefix); only the phone that started it may continue it.
    """

    __tablename__ = "online_uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    target: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default="open")  # open | done
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class ReceiptCounter(Base):
    """The last receipt sequence the online zone issued on a day (its virtual kiosk's)."""

    __tablename__ = "online_receipt_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
