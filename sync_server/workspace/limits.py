"""Time limits of a case, in real Chinese working days (工作日, ``sync_server.workdays``).

Rules (see docs/workspace.md):

- the promised limit (承诺时限) and the legal limit (法定时限) run from the day of
  acceptance (受理): due = the n-th working day after it; an instant case (即办件,
  ``promised_days == 0``) is due the day it is accepted (the next working day when
  accepted on a day off);
- special stages (勘验/评审/整改) do not count: the working days after the day a stage
  starts, through the day it ends, are skipped; a stage still open skips through today;
- the correction notice (补正, 一次性告知) must reach the applicant within five working
  days of the department receiving the materials (行政许可法 第三十二条);
- a deadline is *due soon* when at most ``soon`` working days remain, *overdue* after
  its day has passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..workdays import Interval, add_working_days, count_working_days, local_date

NOTICE_WORKING_DAYS = 5
DUE_SOON_DAYS = 2


@dataclass(frozen=True)
class SpecialSpan:
    """One special stage: kind (SpecialStage value), start, end (None while open), reason."""

    kind: str
    started_at: datetime
    ended_at: datetime | None = None
    reason: str = ""
    end_reason: str = ""
    started_by: str = ""
    ended_by: str = ""


def count_days(start: date, end: date, excluded: Sequence[Interval] = ()) -> int:
    """Working days in ``(start, end]`` by the calendar's per-year tables (cheap for old cases)."""
    return count_working_days(start, end, excluded)


def excluded_intervals(spans: Sequence[SpecialSpan], today: date) -> list[Interval]:
    """The day intervals the limits skip (inclusive), one per special stage."""
    intervals: list[Interval] = []
    for span in spans:
        first = local_date(span.started_at) + timedelta(days=1)
        last = local_date(span.ended_at) if span.ended_at else today
        if first <= last:
            intervals.append((first, last))
    return intervals


def due_date(
    accepted_at: datetime, days: int, spans: Sequence[SpecialSpan] = (), today: date | None = None
) -> date:
    """The last day of a limit of ``days`` working days from acceptance, special stages skipped."""
    start = local_date(accepted_at)
    return add_working_days(start, days, excluded_intervals(spans, today or start))


def notice_deadline(received_at: datetime) -> date:
    """The last day to send the one-time correction notice."""
    return add_working_days(local_date(received_at), NOTICE_WORKING_DAYS)


def days_left(due: date, today: date) -> int:
    """Working days from today to ``due`` (0 on the day, negative when overdue)."""
    return count_days(today, due)


def used_days(accepted_at: datetime, spans: Sequence[SpecialSpan], today: date) -> int:
    """Working days spent on the case since acceptance, special stages not counted."""
    return count_days(local_date(accepted_at), today, excluded_intervals(spans, today))


def badge(due: date | None, today: date, soon: int = DUE_SOON_DAYS) -> str | None:
    """``overdue``, ``due_soon`` or None."""
    if due is None:
        return None
    if due < today:
        return "overdue"  # decided without counting back: old cases stay cheap to list
    return "due_soon" if days_left(due, today) <= soon else None


@dataclass(frozen=True)
class CaseLimits:
    """What the review page shows about time."""

    promised_due: date | None
    legal_due: date | None
    promised_left: int | None
    legal_left: int | None
    used: int | None
    notice_due: date
    notice_left: int
    paused: bool
    badge: str | None


def case_limits(
    *,
    received_at: datetime,
    accepted_at: datetime | None,
    promised_days: int,
    legal_days: int,
    spans: Sequence[SpecialSpan],
    today: date,
    soon: int = DUE_SOON_DAYS,
) -> CaseLimits:
    notice = notice_deadline(received_at)
    paused = bool(spans) and spans[-1].ended_at is None
    if accepted_at is None:
        return CaseLimits(
            None, None, None, None, None, notice, days_left(notice, today), False, badge(notice, today, soon)
        )
    promised = due_date(accepted_at, promised_days, spans, today)
    legal = due_date(accepted_at, legal_days, spans, today)
    return CaseLimits(
        promised,
        legal,
        days_left(promised, today),
        days_left(legal, today),
        used_days(accepted_at, spans, today),
        notice,
        days_left(notice, today),
        paused,
        None if paused else badge(promised, today, soon),
    )
