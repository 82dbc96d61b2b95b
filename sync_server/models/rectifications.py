"""整改 (9.2): a bad rating or a complaint, the unit that must put it right, and its clocks.

One row per problem. A rating of 1 or 2 opens one by itself (``evaluation_id``, unique:
一事一改); a complaint that is not a rating (12345 hotline, village staff) is entered by
staff. The responsible unit is a department (the handling department, for a rating at
handling) or a station (for a rating at collection) — exactly one of the two. Deadlines
are dates counted in working days (contact, fix); each step is timestamped on the row and
told in ``rectification_events``; each overdue clock escalates once
(``rectification_escalations``, unique per clock), naming who was told and when.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared_schema.bounds import MATTER_CODE_LEN, PERSON_NAME_LEN, RECEIPT_NO_LEN

from ..db import Base, JsonType, UtcDateTime, utcnow


class Rectification(Base):
    """One 整改 case; ``state`` is a :class:`sync_server.rectification.RectificationState`."""

    __tablename__ = "rectifications"
    __table_args__ = (
        CheckConstraint(
            "(unit_department_code IS NULL) <> (unit_station_code IS NULL)", name="one_responsible_unit"
        ),
        Index("ix_rectifications_unit_department", "unit_department_code", "state"),
        Index("ix_rectifications_unit_station", "unit_station_code", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16), doc="rating | hotline | village_staff | other")
    evaluation_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluations.id", ondelete="SET NULL"), unique=True, doc="the bad rating, once"
    )
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL"), index=True
    )
    receipt_no: Mapped[str | None] = mapped_column(String(RECEIPT_NO_LEN))
    matter_code: Mapped[str | None] = mapped_column(String(MATTER_CODE_LEN))
    station_code: Mapped[str | None] = mapped_column(
        ForeignKey("stations.code"), doc="where the rating was given or the problem arose"
    )
    unit_department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    unit_station_code: Mapped[str | None] = mapped_column(ForeignKey("stations.code"))
    score: Mapped[int | None] = mapped_column(Integer, doc="the rating (1 or 2); None for a complaint")
    summary: Mapped[str] = mapped_column(Text, doc="what the resident complained of")
    complainant_name: Mapped[str | None] = mapped_column(String(PERSON_NAME_LEN))
    complainant_phone: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(16), index=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    opened_by: Mapped[str] = mapped_column(String(40), doc="'system' for a rating, else the staff member")
    contact_due: Mapped[date] = mapped_column(Date)
    fix_due: Mapped[date] = mapped_column(Date)
    contacted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    contact_note: Mapped[str] = mapped_column(Text, default="")
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    verification: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answer: Mapped[str] = mapped_column(Text, default="")
    fixed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    fix: Mapped[str] = mapped_column(Text, default="")
    appealed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    appeal_reason: Mapped[str] = mapped_column(Text, default="")
    appeal_decision: Mapped[str | None] = mapped_column(String(10), doc="upheld | rejected")
    appeal_decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    appeal_decided_by: Mapped[str | None] = mapped_column(String(40))
    appeal_opinion: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    events: Mapped[list[RectificationEvent]] = relationship(
        cascade="all, delete-orphan", order_by="RectificationEvent.id"
    )
    escalations: Mapped[list[RectificationEscalation]] = relationship(
        cascade="all, delete-orphan", order_by="RectificationEscalation.id"
    )


class RectificationEvent(Base):
    """One step of a rectification: who did what, when (the page's history)."""

    __tablename__ = "rectification_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(
        ForeignKey("rectifications.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class RectificationEscalation(Base):
    """An overdue clock (contact or fix) told upwards, once: who was told and when."""

    __tablename__ = "rectification_escalations"
    __table_args__ = (UniqueConstraint("rectification_id", "clock"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectifications.id", ondelete="CASCADE"))
    clock: Mapped[str] = mapped_column(String(10), doc="contact | fix")
    due: Mapped[date] = mapped_column(Date)
    escalated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    notified: Mapped[list[str]] = mapped_column(JsonType, doc="usernames told (unit staff, city supervisors)")
