"""The workspace's own tables: staff, sessions, audit log, results, originals, SMS outbox.

Imported by the app factory and by the migrations' ``env.py`` so ``Base.metadata`` (and
Alembic) know them; the core never imports the workspace. The extra indexes on
``submissions`` serve the inbox's filters and keyset pagination; they are declared
here, next to the queries that need them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared_schema.bounds import REQUIREMENT_CODE_LEN

from ..db import Base, JsonType, UtcDateTime, utcnow
from ..models.submissions import Submission


class StaffUser(Base):
    """A person who works in the workspace; ``role`` is a :class:`roles.Role` value."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    station_code: Mapped[str | None] = mapped_column(ForeignKey("stations.code"))
    phone: Mapped[str | None] = mapped_column(String(20), doc="for 督办 SMS (supervision.py)")
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class StaffSession(Base):
    """A server-side login session; the cookie holds a random token, we keep its hash."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    remote_addr: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[StaffUser] = relationship(lazy="joined")


class AuditEntry(Base):
    """Who saw or downloaded which submission's personal data, when, and from where."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(40), index=True)
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40), index=True)
    submission_id: Mapped[int | None] = mapped_column(Integer, index=True)
    receipt_no: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class CaseResult(Base):
    """办理结果: an electronic PDF (bytes in the blob store) or a paper result's delivery."""

    __tablename__ = "case_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True, doc="the id in /api/v1/results/<id>")
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24), doc="electronic_certificate or paper")
    delivery: Mapped[str] = mapped_column(String(10), doc="mail, pickup or online")
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(BigInteger)
    filename: Mapped[str | None] = mapped_column(String(200))
    tracking_no: Mapped[str | None] = mapped_column(String(40))
    pickup_station: Mapped[str | None] = mapped_column(ForeignKey("stations.code"))
    opinion: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(40))
    verify_code: Mapped[str | None] = mapped_column(
        String(16), unique=True, doc="核验码 printed as a QR on the document (verify_code.py)"
    )


class OriginalArrival(Base):
    """A mailed original (原件, e.g. 户口簿) the department confirmed it received."""

    __tablename__ = "original_arrivals"
    __table_args__ = (UniqueConstraint("submission_id", "material_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    material_code: Mapped[str] = mapped_column(String(REQUIREMENT_CODE_LEN))
    arrived_on: Mapped[date] = mapped_column(Date)
    confirmed_by: Mapped[str] = mapped_column(String(40))
    confirmed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SmsMessage(Base):
    """The SMS outbox: written in the same transaction as the event, sent afterwards."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("submission_events.id", ondelete="SET NULL"))
    phone: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    provider_ref: Mapped[str | None] = mapped_column(String(80))
    last_error: Mapped[str | None] = mapped_column(String(200))


class SmsLogEntry(Base):
    """What the default sender "sent": a log table instead of a gateway."""

    __tablename__ = "sms_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("sms_outbox.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    logged_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# The inbox: one department, optionally one state / matter / station, newest first.
Index("ix_submissions_ws_dept_collected", Submission.department_code, Submission.collected_at, Submission.id)
Index(
    "ix_submissions_ws_dept_state_collected",
    Submission.department_code,
    Submission.state,
    Submission.collected_at,
    Submission.id,
)
Index(
    "ix_submissions_ws_dept_matter_collected",
    Submission.department_code,
    Submission.matter_code,
    Submission.collected_at,
)
Index("ix_submissions_ws_dept_promised_due", Submission.department_code, Submission.promised_due)
