"""Working days (工作日) in China: one calendar for the server's limits and the kiosk's notice.

Which days are worked, per year, in this order:

1. an imported :class:`~shared_schema.holidays.HolidayTable` for that year (the city
   loaded the State Council's notice; it wins over the library, which may be older);
2. chinese-calendar, which knows the notices up to its last release (2004–2026 in 1.11);
3. otherwise Monday–Friday, and the year is *unofficial*: ``is_official`` says so, so
   every screen that shows such a deadline can warn, and a warning is logged once.

An imported ``example`` table is used but is not official either.

Conventions (the server's limits and the workspace rely on them):

- ``add_working_days(start, n)`` is the n-th working day *after* ``start``; with ``n=0``
  it is ``start`` itself when that is a working day, else the next one (即办件: same day);
- ``count_working_days(start, end)`` counts working days in ``(start, end]``, so
  ``count_working_days(d, add_working_days(d, n)) == n`` for a working day ``d``;
- ``excluded`` is a list of inclusive ``(first, last)`` intervals (special stages
  勘验/评审/整改) whose days do not count.

Dates outside ``FIRST_DAY``–``LAST_DAY`` raise :class:`CalendarRangeError` (a
``ValueError`` with a clear message) instead of counting for ever or overflowing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from functools import cache

import chinese_calendar

from .forms import TRANSFER_WORKING_DAYS
from .holidays import HolidayTable

log = logging.getLogger(__name__)

# China Standard Time has no daylight saving; a fixed offset needs no tz database.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2199, 12, 31)
MAX_SPAN_DAYS = 3 * 366
Interval = tuple[date, date]


class CalendarRangeError(ValueError):
    """A date the calendar does not count (absurd input, or a limit that never ends)."""


class YearSource(StrEnum):
    imported = "imported"  # an official table the city loaded
    example = "example"  # an imported table marked as made-up test data
    library = "chinese-calendar"
    weekdays = "weekdays"  # nobody knows this year's holidays: Monday–Friday assumed


OFFICIAL_SOURCES = frozenset({YearSource.imported, YearSource.library})


@cache
def library_knows(year: int) -> bool:
    """Whether chinese-calendar has the State Council's table for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _warn_unofficial(year: int) -> None:
    log.warning("no official holiday table for %s: counting Monday-Friday as working days", year)


def check_range(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise _outside(day.isoformat())
    return day


def _outside(what: str) -> CalendarRangeError:
    return CalendarRangeError(f"{what} is outside the working-day calendar ({FIRST_DAY} to {LAST_DAY})")


def local_date(moment: datetime) -> date:
    """The calendar date in China of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: cannot tell the date in China")
    try:
        return moment.astimezone(CHINA_TZ).date()
    except OverflowError:
        raise _outside(moment.isoformat()) from None


class WorkCalendar:
    """Working days with imported tables first, then chinese-calendar, then Mon–Fri."""

    def __init__(self, tables: Iterable[HolidayTable] = ()) -> None:
        self.tables: dict[int, HolidayTable] = {}
        for table in tables:
            if table.year in self.tables:
                raise ValueError(f"two holiday tables for {table.year}")
            self.tables[table.year] = table
        self._off = {y: frozenset(t.days_off()) for y, t in self.tables.items()}
        self._on = {y: frozenset(t.workdays) for y, t in self.tables.items()}
        self._prefix: dict[int, tuple[int, ...]] = {}

    # -- one day -----------------------------------------------------------------------
    def source(self, year: int) -> YearSource:
        table = self.tables.get(year)
        if table is not None:
            return YearSource.example if table.example else YearSource.imported
        return YearSource.library if library_knows(year) else YearSource.weekdays

    def year_is_official(self, year: int) -> bool:
        return self.source(year) in OFFICIAL_SOURCES

    def is_official(self, day: date) -> bool:
        """Whether ``day``'s working-day status comes from an official notice."""
        return self.year_is_official(day.year)

    def is_working_day(self, day: date) -> bool:
        check_range(day)
        year = day.year
        if year in self.tables:
            return day in self._on[year] or (day.weekday() < 5 and day not in self._off[year])
        if library_knows(year):
            return chinese_calendar.is_workday(day)
        _warn_unofficial(year)
        return day.weekday() < 5

    def unofficial_years(self, days: Iterable[date | None]) -> list[int]:
        """The years among ``days`` without an official table, sorted (for warnings)."""
        return sorted({d.year for d in days if d is not None and not self.year_is_official(d.year)})

    # -- counting ----------------------------------------------------------------------
    def _year_prefix(self, year: int) -> tuple[int, ...]:
        """``p[i]``: working days among the first ``i`` days of ``year`` (one scan per year)."""
        prefix = self._prefix.get(year)
        if prefix is None:
            day, counts = date(year, 1, 1), [0]
            while day.year == year:
                counts.append(counts[-1] + self.is_working_day(day))
                day += timedelta(days=1)
            prefix = self._prefix[year] = tuple(counts)
        return prefix

    def _through(self, day: date, base_year: int) -> int:
        """Working days from 1 January ``base_year`` through ``day``."""
        full = sum(self._year_prefix(y)[-1] for y in range(base_year, day.year))
        return full + self._year_prefix(day.year)[day.timetuple().tm_yday]

    def _between(self, first: date, last: date, base: int) -> int:
        """Working days in ``[first, last]``."""
        return self._through(last, base) - self._through(first - timedelta(days=1), base)

    def count_working_days(self, start: date, end: date, excluded: Iterable[Interval] = ()) -> int:
        """Counted working days in ``(start, end]``; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.count_working_days(end, start, excluded)
        check_range(start)
        check_range(end)
        if start == end:
            return 0
        base = start.year
        total = self._through(end, base) - self._through(start, base)
        merged: list[Interval] = []
        for first, last in sorted((max(f, start + timedelta(days=1)), min(la, end)) for f, la in excluded):
            if first > last:
                continue
            if merged and first <= merged[-1][1] + timedelta(days=1):
                merged[-1] = (merged[-1][0], max(merged[-1][1], last))
            else:
                merged.append((first, last))
        return total - sum(self._between(first, last, base) for first, last in merged)

    def _counts(self, day: date, excluded: Sequence[Interval]) -> bool:
        return self.is_working_day(day) and not any(first <= day <= last for first, last in excluded)

    def add_working_days(self, start: date, n: int, excluded: Iterable[Interval] = ()) -> date:
        """The ``n``-th counted working day after ``start`` (``n=0``: start or the next one)."""
        if n < 0:
            raise ValueError("n must not be negative")
        check_range(start)
        spans = list(excluded)
        day = start
        if n == 0:
            while not self._counts(day, spans):
                day = self._next(start, day)
            return day
        remaining = n
        while remaining:
            day = self._next(start, day)
            if self._counts(day, spans):
                remaining -= 1
        return day

    @staticmethod
    def _next(start: date, day: date) -> date:
        if (day - start).days >= MAX_SPAN_DAYS:
            raise CalendarRangeError("no working day within three years: check the excluded intervals")
        return check_range(day + timedelta(days=1))

    def working_days_left(self, due: date, today: date, excluded: Iterable[Interval] = ()) -> int:
        """Days left until ``due`` (0 on the due day, negative when overdue)."""
        return self.count_working_days(today, due, excluded)

    def transfer_deadline(self, collected_at: datetime) -> date:
        """附录 A: the materials reach the department within 2 working days of collection."""
        return self.add_working_days(local_date(collected_at), TRANSFER_WORKING_DAYS)
