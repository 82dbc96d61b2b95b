"""Monthly roll-ups of the dashboard's volumes and ratings, kept by the database itself.

A whole-city figure over two years was a pass over every case (100,000: ~0.5 s on the
loaded bench machine). These tables hold the same counts per China calendar month and
department, so a period's whole months are a sum of a few thousand rows; the partial
months at its edges are counted live (``dashboard.py``).

They are written by database triggers (migration ``d7f2c8a4b1e9``), not by the Python
write paths: every insert, delete and update of a counted column of ``submissions`` or
``evaluations`` - kiosk ingest, bundle import, the online channel, ratings from kiosk,
phone and online, re-routing, a bulk ``COPY`` - moves the counts in the same transaction,
so a roll-up cannot be stale. ``department_code`` and ``key`` hold ``''`` for a case
without one (a primary key cannot hold NULL). A rating is counted under its case (same
receipt number), in the case's month and department, as the live join counts it; on
PostgreSQL both triggers take a transaction lock on the receipt number, so a rating and
its case written at the same moment by two transactions still meet.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared_schema.bounds import MATTER_CODE_LEN

from ..db import Base

VOLUME_DIMS = ("matter", "station", "channel")  # department and tier are derived from these


class VolumeMonth(Base):
    """Cases collected in a month, per department and one dimension's key."""

    __tablename__ = "dashboard_volume_months"

    month: Mapped[date] = mapped_column(Date, primary_key=True, doc="first day of the China month")
    department_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    dim: Mapped[str] = mapped_column(String(10), primary_key=True, doc="matter | station | channel")
    key: Mapped[str] = mapped_column(String(MATTER_CODE_LEN), primary_key=True)
    cases: Mapped[int]


class RatingMonth(Base):
    """Ratings of the cases collected in a month, per department, stage and score."""

    __tablename__ = "dashboard_rating_months"

    month: Mapped[date] = mapped_column(Date, primary_key=True, doc="first day of the China month")
    department_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    at_stage: Mapped[str] = mapped_column(String(10), primary_key=True)
    score: Mapped[int] = mapped_column(primary_key=True)
    ratings: Mapped[int]


def volume_counts(session: Session, first: date, end: date, department: str | None) -> list[Any]:
    """``(department, dim, key, cases)`` over the months from ``first`` to before ``end``
    (first days of months), for one department or (``None``) the city."""
    keys = (VolumeMonth.department_code, VolumeMonth.dim, VolumeMonth.key)
    return _summed(session, VolumeMonth, keys, VolumeMonth.cases, first, end, department)


def rating_counts(session: Session, first: date, end: date, department: str | None) -> list[Any]:
    """``(stage, score, ratings)`` over the months from ``first`` to before ``end``."""
    keys = (RatingMonth.at_stage, RatingMonth.score)
    return _summed(session, RatingMonth, keys, RatingMonth.ratings, first, end, department)


def _summed(  # type: ignore[no-untyped-def]
    session: Session, table, keys: tuple[Any, ...], count: Any, first: date, end: date, department: str | None
) -> list[Any]:
    total = func.sum(count)
    query = select(*keys, total).where(table.month >= first, table.month < end)
    if department is not None:
        query = query.where(table.department_code == department)
    return [(*row[:-1], int(row[-1])) for row in session.execute(query.group_by(*keys).having(total > 0))]
