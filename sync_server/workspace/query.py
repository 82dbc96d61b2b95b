"""Filter conditions the inbox, ledger and audit log share: optional equalities, China-day ranges."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement

from ..workdays import CHINA_TZ


def day_start(day: date) -> datetime:
    """Midnight in China: a filter by date means the date in China."""
    return datetime.combine(day, time.min, CHINA_TZ)


def equal(pairs: Iterable[tuple[Any, Any]]) -> list[ColumnElement[bool]]:
    """``column == value`` for every pair whose value is set."""
    return [column == value for column, value in pairs if value]


def day_range(column: Any, first: date | None, last: date | None) -> list[ColumnElement[bool]]:
    """``column`` within the China dates ``first``..``last`` (both inclusive, each optional)."""
    conditions = []
    if first:
        conditions.append(column >= day_start(first))
    if last:
        conditions.append(column < day_start(last + timedelta(days=1)))
    return conditions
