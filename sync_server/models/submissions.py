"""Submissions and everything that happens to them: pages, routing, events, feed.

A submission carries a timestamp per stage of the flow card (附录 D): collected (at the
kiosk), received (here), transferred (routed to the deciding department), accepted,
completed, delivered, archived. ``state`` is a :class:`shared_schema.SubmissionState`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared_schema.bounds import (
    CATALOG_VERSION_LEN,
    MATTER_CODE_LEN,
    PERSON_NAME_LEN,
    RECEIPT_NO_LEN,
    REQUIREMENT_CODE_LEN,
)

from ..db import Base, JsonType, UtcDateTime, utcnow


class Blob(Base):
    """A page image in the blob store, known by its sha256; the bytes live in the store."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Submission(Base):
    """One application, exactly once per ``client_uuid`` and per ``receipt_no``."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_inbox", "department_code", "state", "received_at"),
        Index("ix_submissions_station_state", "station_code", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    receipt_no: Mapped[str] = mapped_column(String(RECEIPT_NO_LEN), unique=True)
    kiosk_id: Mapped[str | None] = mapped_column(ForeignKey("kiosks.kiosk_id"), index=True)
    station_code: Mapped[str | None] = mapped_column(ForeignKey("stations.code"))
    matter_code: Mapped[str] = mapped_column(String(MATTER_CODE_LEN), index=True)
    catalog_version: Mapped[str] = mapped_column(String(CATALOG_VERSION_LEN))
    applicant_kind: Mapped[str] = mapped_column(String(12))
    applicant_name: Mapped[str] = mapped_column(String(PERSON_NAME_LEN))
    applicant_id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    applicant_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    applicant_phone: Mapped[str] = mapped_column(String(20))
    home_division: Mapped[str] = mapped_column(String(12))
    delivery_method: Mapped[str] = mapped_column(String(10))
    manifest: Mapped[dict[str, Any]] = mapped_column(JsonType, doc="SubmissionManifest JSON")
    content_digest: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(10), default="api", doc="api or bundle")
    state: Mapped[str] = mapped_column(String(24), index=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    ack_body: Mapped[str] = mapped_column(Text, doc="the first acknowledgement, replayed as is")

    collected_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    transfer_due: Mapped[date] = mapped_column(Date, doc="2 working days after collection")
    transferred_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    promised_due: Mapped[date | None] = mapped_column(Date)
    legal_due: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    notice_from: Mapped[datetime | None] = mapped_column(
        UtcDateTime, doc="受理/补正告知 clock start: the transfer or the latest 补正 (notice_clock)"
    )
    notice_answered_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, doc="the first accept/补正/不予受理 since notice_from; None while the clock runs"
    )
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    pages: Mapped[list[SubmissionPage]] = relationship(
        cascade="all, delete-orphan", order_by="SubmissionPage.position"
    )
    decisions: Mapped[list[RoutingDecision]] = relationship(
        cascade="all, delete-orphan", order_by="RoutingDecision.id"
    )
    events: Mapped[list[SubmissionEvent]] = relationship(
        cascade="all, delete-orphan", order_by="SubmissionEvent.id"
    )


class SubmissionPage(Base):
    """A page of a submitted material, pointing at its blob (OCR text stays in the manifest)."""

    __tablename__ = "submission_pages"
    __table_args__ = (UniqueConstraint("submission_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(doc="0-based order over all materials' pages")
    material_index: Mapped[int]
    page_index: Mapped[int]
    requirement_code: Mapped[str] = mapped_column(String(REQUIREMENT_CODE_LEN))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    supplement: Mapped[int | None] = mapped_column(doc="补正 round N's pages; None for the originals")


class RoutingDecision(Base):
    """Why a submission went where it went; the latest one is the current assignment."""

    __tablename__ = "routing_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    rule: Mapped[str] = mapped_column(String(40), doc="reason code, e.g. home_department")
    reason_en: Mapped[str] = mapped_column(Text)
    reason_zh: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(80), default="engine")


class SubmissionEvent(Base):
    """One state change in a submission's history (the flow card is filled from these)."""

    __tablename__ = "submission_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    message_zh: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    actor: Mapped[str | None] = mapped_column(String(80))


class Supplement(Base):
    """补正材料 a kiosk sent for a case in 待补正; exactly once per ``client_uuid``."""

    __tablename__ = "supplements"
    __table_args__ = (UniqueConstraint("submission_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(doc="1 for the first supplement of the case, then 2 …")
    correction_round: Mapped[int]
    kiosk_id: Mapped[str | None] = mapped_column(ForeignKey("kiosks.kiosk_id"))
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    manifest: Mapped[dict[str, Any]] = mapped_column(JsonType, doc="SupplementManifest JSON")
    content_digest: Mapped[str] = mapped_column(String(64))
    complete: Mapped[bool]
    ack_body: Mapped[str] = mapped_column(Text, doc="the first acknowledgement, replayed as is")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SupplementLookupAttempt(Base):
    """One online lookup by receipt and ID number (another station's 补正): the rate limit
    counts these per kiosk, and they are the audit trail of who asked for what."""

    __tablename__ = "supplement_lookup_attempts"
    __table_args__ = (Index("ix_supplement_lookup_attempts_kiosk_at", "kiosk_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.kiosk_id"))
    receipt_no: Mapped[str] = mapped_column(String(RECEIPT_NO_LEN))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    found: Mapped[bool] = mapped_column(default=False)


class FeedEntry(Base):
    """An event as one kiosk sees it: ``seq`` is that kiosk's cursor, gap-free, in commit order."""

    __tablename__ = "feed_entries"
    __table_args__ = (UniqueConstraint("kiosk_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.kiosk_id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[int] = mapped_column(ForeignKey("submission_events.id", ondelete="CASCADE"))

    event: Mapped[SubmissionEvent] = relationship()


class Evaluation(Base):
    """评价 (9.1) sent by a kiosk; exactly once per ``evaluation_uuid``."""

    __tablename__ = "evaluations"
    __table_args__ = (  # 一事一评: one rating at handling per case, whichever channel
        Index(
            "uq_evaluations_handle_once", "receipt_no", unique=True,
            sqlite_where=text("at_stage = 'handle'"), postgresql_where=text("at_stage = 'handle'"),
        ),
        # the dashboard's drill-down of one score starts from its ratings (few for a rare score)
        Index("ix_evaluations_stage_score", "at_stage", "score", "receipt_no"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    kiosk_id: Mapped[str | None] = mapped_column(ForeignKey("kiosks.kiosk_id"))
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"), index=True)
    receipt_no: Mapped[str | None] = mapped_column(String(RECEIPT_NO_LEN), index=True)
    at_stage: Mapped[str] = mapped_column(String(10), doc="collect | handle (EvaluationStage)")
    department_code: Mapped[str | None] = mapped_column(
        ForeignKey("departments.code"), doc="the case's department (the rating's 办理部门)"
    )
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    reasons: Mapped[list[str] | None] = mapped_column(JsonType, doc="RatingReason codes ticked")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    content_digest: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(
        String(10), default="kiosk", server_default="kiosk", doc="kiosk | phone (回访, recorded by staff)"
    )
    recorded_by: Mapped[str | None] = mapped_column(String(40), doc="who took a phone rating")


class SubmissionLookup(Base):
    """A keyed hash (HMAC-SHA256) of the applicant's ID number or credit code, for search.

    Written by ingest beside each new submission (``sync_server.id_lookup``); the
    workspace searches it.
    """

    __tablename__ = "submission_lookups"

    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    id_digest: Mapped[str] = mapped_column(String(64), index=True)
