"""Working days (工作日) for every time limit the server counts.

The counting lives in :class:`shared_schema.workcalendar.WorkCalendar` (the kiosk uses the
same class): imported holiday tables first, then chinese-calendar, then Monday–Friday
flagged unofficial. Each app holds its calendar, built from the ``holiday_tables`` rows
(see :mod:`sync_server.holidays`, which keeps it fresh); outside an app context the
calendar has no imported tables.

The functions below keep one call shape for the ingest, the workspace and the benches;
conventions (n-th working day *after* start, ``(start, end]`` counts, excluded special
stages) are documented in :mod:`shared_schema.workcalendar`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from flask import current_app, has_app_context

from shared_schema.workcalendar import (
    CHINA_TZ,
    CalendarRangeError,
    Interval,
    WorkCalendar,
    local_date,
)

__all__ = [
    "CHINA_TZ",
    "CalendarRangeError",
    "Interval",
    "WorkCalendar",
    "add_working_days",
    "calendar",
    "count_working_days",
    "is_working_day",
    "local_date",
    "transfer_deadline",
    "working_days_left",
]

EXTENSION = "tongban.workcalendar"
_LIBRARY_ONLY = WorkCalendar()


def calendar() -> WorkCalendar:
    """The current app's calendar (its imported tables), else chinese-calendar alone."""
    if has_app_context():
        held = current_app.extensions.get(EXTENSION)
        if held is not None:
            return held[1]
    return _LIBRARY_ONLY


def calendar_knows(day: date) -> bool:
    """Whether an official table covers ``day`` (otherwise weekdays are assumed)."""
    return calendar().is_official(day)


def is_working_day(day: date) -> bool:
    return calendar().is_working_day(day)


def add_working_days(start: date, n: int, excluded: Iterable[Interval] = ()) -> date:
    return calendar().add_working_days(start, n, excluded)


def count_working_days(start: date, end: date, excluded: Iterable[Interval] = ()) -> int:
    return calendar().count_working_days(start, end, excluded)


def working_days_left(due: date, today: date, excluded: Iterable[Interval] = ()) -> int:
    return calendar().working_days_left(due, today, excluded)


def transfer_deadline(collected_at: datetime) -> date:
    """附录 A: the materials reach the department within 2 working days of collection."""
    return calendar().transfer_deadline(collected_at)
