"""Tables of the kiosk's local database (SQLAlchemy 2.0 typed models).

Personal data never sits in a column in plain text: drafts and evaluations are stored
sealed (``*_enc``), finalized manifests live in sealed files. What stays readable is what
staff and the sync client need without the key: receipt numbers, states, hashes, times.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# Names for constraints added from now on, so batch migrations (SQLite) can find them.
# The baseline's constraints are unnamed (create_all made them so on kiosks in the field);
# a migration altering one passes this to ``batch_alter_table(naming_convention=...)``.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Schema changes need a migration: ``tongban kiosk db-revision "what changed"``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OutboxItem(Base):
    """One submission in the kiosk outbox, draft through the department's decision."""

    __tablename__ = "outbox"

    client_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    matter_code: Mapped[str] = mapped_column(String(40))
    catalog_version: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finalized_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    exported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    draft_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_digest: Mapped[str | None] = mapped_column(String(64))
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    payload_bytes: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    department_code: Mapped[str | None] = mapped_column(String(64))
    server_received_at: Mapped[str | None] = mapped_column(String(40))
    last_message: Mapped[str | None] = mapped_column(Text)


class OutboxPage(Base):
    """Which page files a submission uses (for upload and for purge's reference count)."""

    __tablename__ = "outbox_pages"

    client_uuid: Mapped[str] = mapped_column(
        ForeignKey("outbox.client_uuid", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(20))


class OutboxTransition(Base):
    """Every state change with its reason, for staff and for debugging a lost item."""

    __tablename__ = "outbox_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_uuid: Mapped[str] = mapped_column(ForeignKey("outbox.client_uuid", ondelete="CASCADE"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")


class ReceiptCounter(Base):
    """Last receipt sequence issued per day; bumped in the draft's own transaction."""

    __tablename__ = "receipt_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class StatusFeedEvent(Base):
    """Events pulled from the server's status feed (also pickups for other kiosks' cases)."""

    __tablename__ = "status_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    client_uuid: Mapped[str] = mapped_column(String(36), index=True)
    receipt_no: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    message: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    applied: Mapped[bool] = mapped_column(default=False)


class ReceivedResult(Base):
    """A result (办理结果) the status feed announced for pickup at this station.

    An electronic one is fetched by id and kept sealed in ``results/`` (see
    :mod:`kiosk.store.results`); a paper one is only a note with the department's mail
    tracking number. The file is purged a set time after the handover (``handed_over_at``).
    """

    __tablename__ = "received_results"

    result_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), index=True)
    receipt_no: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    sha256: Mapped[str | None] = mapped_column(String(64))
    tracking_no: Mapped[str | None] = mapped_column(String(40))
    announced_at: Mapped[datetime] = mapped_column(UtcDateTime)
    stored_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handed_over_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class SealedQueueColumns:
    """What every sealed outbound queue keeps beside its uuid: the sealed body and its
    delivery bookkeeping (see :mod:`kiosk.store.sealed_queue`)."""

    payload_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class QueuedEvaluation(SealedQueueColumns, Base):
    """An evaluation (评价) waiting to be sent; idempotent on the server by its uuid."""

    __tablename__ = "evaluations"

    evaluation_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)


class QueuedHandover(SealedQueueColumns, Base):
    """A handover (送达) waiting to be sent; idempotent on the server by its uuid.

    Names and the masked ID number stay sealed in ``payload_enc``; the receipt number is
    readable so staff (and the status screen) find a case's handover without the key.
    """

    __tablename__ = "handovers"

    handover_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(40), index=True)


class QueuedMailing(SealedQueueColumns, Base):
    """Originals mailed with the transfer slip (原件寄送): the tracking number staff entered,
    waiting to be sent; idempotent on the server by its uuid. The receipt number stays
    readable so staff find a case's mailing without the key."""

    __tablename__ = "original_mailings"

    mailing_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(40), index=True)


class QueuedFeedback(SealedQueueColumns, Base):
    """A resident's 意见建议 (standard 5.5) waiting to be sent; idempotent on the server by
    its uuid. The text may hold personal data: sealed, and dropped once the server has it
    (``payload_enc`` emptied). The matter, the receipt number the resident gave and the
    feedback number the server answered with stay readable: the status screen finds the
    answer by them without the key."""

    __tablename__ = "feedback_notes"

    client_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    matter_code: Mapped[str] = mapped_column(String(50))
    receipt_no: Mapped[str | None] = mapped_column(String(40), index=True)
    feedback_no: Mapped[str | None] = mapped_column(String(16))


class QueuedSupplement(SealedQueueColumns, Base):
    """补正材料 for a case, waiting to be sent; idempotent on the server by its uuid.

    The manifest is sealed in ``payload_enc`` (its pages in the sealed supplement page
    store); the receipt number stays readable so the status screen finds it without the key.
    """

    __tablename__ = "supplements"

    client_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(40), index=True)


class CorrectionNoticeRow(Base):
    """A department's correction notice (补正告知) as the status feed brought it, sealed:
    staff may write anything in an item. One row per case and round."""

    __tablename__ = "correction_notices"

    notice_key: Mapped[str] = mapped_column(String(48), primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(40), index=True)
    correction_round: Mapped[int] = mapped_column(Integer)
    payload_enc: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Meta(Base):
    """Small persistent settings of the sync client: feed cursor, last error, versions."""

    __tablename__ = "kiosk_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
