"""Working days (工作日) of the Chinese calendar, for every time limit the server counts.

Uses chinese-calendar, which knows the State Council's holidays and the make-up working
days (调休, e.g. Saturday 2026-02-14 and 2026-02-28 around the Spring Festival). For a
year it does not know yet, weekdays count as working days and a warning is logged once:
a deadline a day off is better than an ingest that fails.

Conventions, used by the transfer deadline here and by the workspace's promised and legal
limits:

- ``add_working_days(start, n)`` is the n-th working day *after* ``start``; with ``n=0``
  it is ``start`` itself when that is a working day, else the next one (即办件: same day).
- ``count_working_days(start, end)`` counts working days in ``(start, end]``, so
  ``count_working_days(d, add_working_days(d, n)) == n`` for a working day ``d``.
- ``excluded`` is a list of inclusive ``(first, last)`` date intervals (special stages
  勘验/评审/整改) whose days do not count.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

import chinese_calendar

from shared_schema.forms import TRANSFER_WORKING_DAYS

log = logging.getLogger(__name__)

# China Standard Time has no daylight saving; a fixed offset needs no tz database.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
Interval = tuple[date, date]
_MAX_SPAN_DAYS = 3 * 366


@lru_cache(maxsize=8)
def _warn_unknown_year(year: int) -> None:
    log.warning("chinese-calendar does not know %s; counting Monday-Friday as working days", year)


def calendar_knows(day: date) -> bool:
    """Whether the holiday table covers ``day`` (otherwise weekdays are assumed)."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


def _is_excluded(day: date, excluded: Sequence[Interval]) -> bool:
    return any(first <= day <= last for first, last in excluded)


def _counts(day: date, excluded: Sequence[Interval]) -> bool:
    return is_working_day(day) and not _is_excluded(day, excluded)


def add_working_days(start: date, n: int, excluded: Iterable[Interval] = ()) -> date:
    """The ``n``-th counted working day after ``start`` (``n=0``: start or the next one)."""
    if n < 0:
        raise ValueError("n must not be negative")
    spans = list(excluded)
    day = start
    if n == 0:
        while not _counts(day, spans):
            day += timedelta(days=1)
            _guard(start, day)
        return day
    remaining = n
    while remaining:
        day += timedelta(days=1)
        _guard(start, day)
        if _counts(day, spans):
            remaining -= 1
    return day


def count_working_days(start: date, end: date, excluded: Iterable[Interval] = ()) -> int:
    """Counted working days in ``(start, end]``; negative when ``end`` is before ``start``."""
    if end < start:
        return -count_working_days(end, start, excluded)
    spans = list(excluded)
    return sum(_counts(start + timedelta(days=i), spans) for i in range(1, (end - start).days + 1))


def working_days_left(due: date, today: date, excluded: Iterable[Interval] = ()) -> int:
    """Days left until ``due`` (0 on the due day, negative when overdue)."""
    return count_working_days(today, due, excluded)


def local_date(moment: datetime) -> date:
    """The calendar date in China of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: cannot tell the date in China")
    return moment.astimezone(CHINA_TZ).date()


def transfer_deadline(collected_at: datetime) -> date:
    """附录 A: the materials reach the department within 2 working days of collection."""
    return add_working_days(local_date(collected_at), TRANSFER_WORKING_DAYS)


def _guard(start: date, day: date) -> None:
    if (day - start).days > _MAX_SPAN_DAYS:
        raise ValueError("no working day within three years: check the excluded intervals")
