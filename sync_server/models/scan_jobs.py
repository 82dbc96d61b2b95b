"""Server-side page scans (online channel): one row per owner + page blob, holding its result.

The row is the job's truth, not the queue: a queue message only says "look at job X".
So a message delivered twice, or re-sent after a worker died, finds the row and does
not scan again once it is ``done`` (idempotent, one stored result).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JsonType, UtcDateTime, utcnow


class ScanJob(Base):
    """A page scan: queued → running (with a lease renewed while it works) → done | failed."""

    __tablename__ = "scan_jobs"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True, doc="sha256(owner, blob)")
    owner: Mapped[str] = mapped_column(String(64), index=True)
    blob_sha256: Mapped[str] = mapped_column(String(64))
    material_hint: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    stage: Mapped[str] = mapped_column(String(32), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0, doc="times a worker took it")
    worker: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
