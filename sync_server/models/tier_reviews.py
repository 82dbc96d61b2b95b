"""Frequency-tier reviews (standard 5.2, 5.3): a review, its proposals, their decisions.

A review is one pass over the handling data with the rules of the day (kept with it); each
proposal is decided by the city administrator with a reason; the accepted ones become one
catalog draft (``draft_id``), published like any other.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared_schema.bounds import CATALOG_VERSION_LEN, MATTER_CODE_LEN

from ..db import Base, JsonType, UtcDateTime, utcnow


class TierReview(Base):
    __tablename__ = "tier_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, doc="the window ends the day before")
    window_start: Mapped[datetime] = mapped_column(UtcDateTime)
    window_end: Mapped[datetime] = mapped_column(UtcDateTime)
    rules: Mapped[dict[str, Any]] = mapped_column(JsonType, doc="TierRules JSON")
    catalog_version: Mapped[str] = mapped_column(String(CATALOG_VERSION_LEN))
    stats: Mapped[list[Any]] = mapped_column(JsonType, doc="every matter's cases and computed tier")
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_drafts.id"))


class TierProposal(Base):
    __tablename__ = "tier_proposals"
    __table_args__ = (UniqueConstraint("review_id", "matter_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("tier_reviews.id"), index=True)
    matter_code: Mapped[str] = mapped_column(String(MATTER_CODE_LEN))
    matter_name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(10), doc="promote, demote, add, drop")
    cases: Mapped[int] = mapped_column(Integer)
    current_tier: Mapped[str | None] = mapped_column(String(10))
    proposed_tier: Mapped[str | None] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
