"""Imported holiday tables (one row per year), the server's source ahead of chinese-calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JsonType, UtcDateTime, utcnow


class HolidayTableRow(Base):
    """The validated :class:`shared_schema.holidays.HolidayTable` of one year, as imported."""

    __tablename__ = "holiday_tables"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    notice: Mapped[str] = mapped_column(String(200), doc="the State Council notice it comes from")
    example: Mapped[bool] = mapped_column(Boolean, default=False, doc="made-up test data, not official")
    body: Mapped[dict[str, Any]] = mapped_column(JsonType, doc="HolidayTable JSON")
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(80))
