"""The dashboard's figures, each with the WHERE clause of the cases behind it.

Every figure is a count of cases (submissions) collected in the period and visible to
the user (``scope.visible``: a department sees its own, the city all). The drill-down of
a figure is built from the *same* clause, so the list has exactly the cases counted.
Aggregation happens in SQL (GROUP BY, conditional counts); only the grouped rows come
back. Clocks with a stored due day (transfer, promised) compare it in SQL; clocks whose
due day is counted (notice: 5 working days, delivery) get a due day per possible start
day, computed once per request with the working-day calendar and looked up in SQL by the
case's start day (``dashboard_sql.day_lookup``). All four clocks are counted in one pass.
Volumes and ratings read the period's whole months from the roll-ups the database keeps
(``dashboard_rollups``) and count only the days at its edges live (``split``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.orm import Session

from shared_schema import SubmissionState as S

from ..db import UtcDateTime
from ..models import Department, Evaluation, Matter, Station, Submission
from ..workdays import CHINA_TZ, count_working_days
from . import dashboard_rollups
from .dashboard_sql import china_day, day_lookup
from .limits import NOTICE_WORKING_DAYS
from .models import StaffUser
from .roles import CITY_WIDE, DEPARTMENT_OWN, Role
from .scope import visible
from .supervision import CLOCK_LABELS, DELIVERY_DAYS

TIER_LABELS = {"high": "高频", "medium": "中频", "low": "低频"}
CHANNEL_LABELS = {"api": "自助终端联网上传", "bundle": "离线包（U盘）导入"}
DIMENSIONS = {
    "matter": "事项",
    "tier": "频度",
    "station": "服务站",
    "department": "办理部门",
    "channel": "渠道",
}
OUTCOMES = {"on_time": "按时", "late": "超时完成", "overdue": "超期未完成", "running": "计时中"}
STAGES = {"collect": "收件评价", "handle": "办理评价"}


class BadFigure(ValueError):
    """A drill-down that names no figure of the dashboard (answered 400)."""


@dataclass(frozen=True)
class Period:
    """China calendar days, both ends included."""

    first: date
    last: date

    def clause(self) -> Any:
        start = datetime.combine(self.first, time(), CHINA_TZ)
        end = datetime.combine(self.last + timedelta(days=1), time(), CHINA_TZ)
        # the bounds are written into the statement: psycopg prepares a statement run five
        # times, and PostgreSQL's generic plan for it cannot see how much of the data the
        # period holds (a rare figure's list was planned as a walk of every case: ~150 ms)
        return and_(
            Submission.collected_at >= bindparam("first", start, literal_execute=True, type_=UtcDateTime()),
            Submission.collected_at < bindparam("end", end, literal_execute=True, type_=UtcDateTime()),
        )


def cases(user: StaffUser, period: Period) -> Any:
    return and_(visible(user), period.clause())


@dataclass(frozen=True)
class Split:
    """A period as its whole China months (read from the roll-ups: ``months`` is the first
    day of the first one and of the month after the last, or ``None``) and the days at its
    edges outside them (counted live)."""

    months: tuple[date, date] | None
    edges: tuple[Period, ...]


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def split(period: Period) -> Split:
    start = period.first if period.first.day == 1 else _month_after(period.first)
    end = (period.last + timedelta(days=1)).replace(day=1)  # the day after it, if the month ends on it
    if start >= end:
        return Split(None, (period,))
    edges = []
    if period.first < start:
        edges.append(Period(period.first, start - timedelta(days=1)))
    if end <= period.last:
        edges.append(Period(end, period.last))
    return Split((start, end), tuple(edges))


def department_scope(user: StaffUser) -> str | None:
    """The department whose roll-ups the user sees (``None``: the city), as ``scope.visible``
    scopes the dashboard's roles."""
    role = Role(user.role)
    if role in CITY_WIDE:
        return None
    if role in DEPARTMENT_OWN and user.department_code:
        return user.department_code
    raise BadFigure(f"no dashboard scope for role {role.value}")


# ---- volumes ------------------------------------------------------------------------

_DIM_COLUMNS = {
    "matter": Submission.matter_code,
    "station": Submission.station_code,
    "department": Submission.department_code,
    "channel": Submission.source,
}


def volumes(session: Session, user: StaffUser, period: Period) -> dict[str, list[tuple[str, str, int]]]:
    """``{dimension: [(key, label, count), …]}``, largest first: the period's whole months
    from the roll-ups, its edge days from one grouped scan each."""
    labels = names(session)
    tiers = {a: b for a, b in session.execute(select(Matter.code, Matter.frequency))}
    totals: dict[str, Counter[str]] = {dim: Counter() for dim in DIMENSIONS}

    def add(department: str, dim: str, key: str, n: int) -> None:
        totals[dim][key] += n
        if dim == "channel":  # every case has one channel: its department counted once
            totals["department"][department] += n
        elif dim == "matter":
            totals["tier"][tiers.get(key, "")] += n

    parts = split(period)
    if parts.months:
        for row in dashboard_rollups.volume_counts(session, *parts.months, department_scope(user)):
            add(*row)
    cols = list(_DIM_COLUMNS.values())
    for edge in parts.edges:
        rows = session.execute(select(*cols, func.count()).where(cases(user, edge)).group_by(*cols))
        for matter, station, department, channel, n in rows:
            for dim, key in (("matter", matter), ("station", station), ("channel", channel)):
                add(department or "", dim, key or "", n)
    return {
        dim: [(key, label_of(labels, dim, key), n) for key, n in counts.most_common() if n]
        for dim, counts in totals.items()
    }


def names(session: Session) -> dict[str, dict[str, str]]:
    return {
        "matter": {a: b for a, b in session.execute(select(Matter.code, Matter.name))},
        "station": {a: b for a, b in session.execute(select(Station.code, Station.name))},
        "department": {a: b for a, b in session.execute(select(Department.code, Department.name))},
        "tier": TIER_LABELS,
        "channel": CHANNEL_LABELS,
    }


def label_of(names: dict[str, dict[str, str]], dim: str, key: str) -> str:
    return names[dim].get(key, key or "（未指定）")


def volume_clause(dim: str, key: str) -> Any:
    if dim == "tier":
        return Submission.matter_code.in_(select(Matter.code).where(Matter.frequency == key))
    if dim not in _DIM_COLUMNS:
        raise BadFigure(f"unknown dimension {dim!r}")
    column = _DIM_COLUMNS[dim]
    return column.is_(None) if key == "" else column == key


# ---- clocks -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockRate:
    clock: str
    label: str
    counts: dict[str, int]

    @property
    def finished_or_late(self) -> int:
        return self.counts["on_time"] + self.counts["late"] + self.counts["overdue"]

    @property
    def rate(self) -> float | None:
        judged = self.finished_or_late
        return self.counts["on_time"] / judged if judged else None


OUTCOME_CODES = {outcome: code for code, outcome in enumerate(OUTCOMES)}  # small ints group cheaply


def _outcome(started: Any, stop: Any, running: Any, due: Any, today: date) -> Any:
    """A clock's outcome code (``OUTCOME_CODES``; NULL for a clock without one): stopped by
    its due day or after it; still running past it or not. One CASE, so each case's stop
    day and due day are computed once; the page groups by it and a drill-down filters on it."""
    return case(
        (
            and_(started, stop.is_not(None)),
            case(
                (china_day(stop) <= due, OUTCOME_CODES["on_time"]),
                (china_day(stop) > due, OUTCOME_CODES["late"]),
            ),
        ),
        (
            and_(started, running),
            case((due < today, OUTCOME_CODES["overdue"]), (due >= today, OUTCOME_CODES["running"])),
        ),
    )


def _stored_outcome(clock: str, today: date) -> Any:
    """The outcome of a clock whose due day is a column."""
    if clock == "transfer":
        running = Submission.state.in_([S.acknowledged.value, S.routed.value])
        started, stop, due = Submission.id.is_not(None), Submission.transferred_at, Submission.transfer_due
    else:  # promised
        running = Submission.state.in_([S.accepted.value, S.special_stage.value])
        started, stop, due = (
            Submission.accepted_at.is_not(None),
            Submission.completed_at,
            Submission.promised_due,
        )
    return _outcome(started, stop, running, due, today)


class _Days:
    """Working-day positions, remembered for the request: the n-th working day after
    ``start`` is the first day whose position is ``pos(start) + n`` (one prefix-table
    lookup per distinct day instead of walking the calendar for every case)."""

    def __init__(self, base: date) -> None:
        self.base = base  # the day before the period: no year without a holiday table is read
        self._pos: dict[date, int] = {}

    def pos(self, day: date) -> int:
        """Working days in ``(base, day]`` (negative before it)."""
        found = self._pos.get(day)
        if found is None:
            found = self._pos[day] = count_working_days(self.base, day)
        return found

    def due(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``add_working_days``, by positions)."""
        target, day = self.pos(start) + n, start + timedelta(days=1)
        while self.pos(day) < target or self.pos(day) == self.pos(day - timedelta(days=1)):
            day += timedelta(days=1)
        return day

    def dues(self, first: date, last: date, n: int) -> list[date]:
        """``due(day, n)`` for every day from ``first`` to ``last``, in one sweep of the
        calendar (the due day moves forward with the start day)."""
        out, due = [], self.due(first, n)
        for i in range((last - first).days + 1):
            start = first + timedelta(days=i)
            target = self.pos(start) + n
            while self.pos(due) < target or self.pos(due) == self.pos(due - timedelta(days=1)):
                due += timedelta(days=1)
            out.append(due)
        return out


def _days(period: Period) -> _Days:
    return _Days(period.first - timedelta(days=1))


COUNTED_DAYS = {"notice": NOTICE_WORKING_DAYS, "delivery": DELIVERY_DAYS}
STARTS_AFTER_TODAY = 7  # days of server-clock slack for a start day past "today"


def _counted_outcome(clock: str, period: Period, today: date, days: _Days) -> Any:
    """The outcome of a clock whose due day is counted from its start day (notice: 5
    working days from the materials' receipt; delivery: from completion). Every start day
    the period can have (its first day to today) gets its due day once, in Python, with
    the working-day calendar; SQL looks it up by the case's start day. The notice clock's
    start and stop are columns of the case (``notice_clock``: a 补正 restarts it)."""
    last = max(period.last, today) + timedelta(days=STARTS_AFTER_TODAY)
    span = days.dues(period.first, last, COUNTED_DAYS[clock])
    if clock == "notice":
        start, stop, running = (
            Submission.notice_from,
            Submission.notice_answered_at,
            Submission.state == S.routed.value,
        )
    else:
        start, stop, running = (
            Submission.completed_at,
            Submission.delivered_at,
            Submission.state == S.completed.value,
        )
    due = day_lookup(china_day(start), period.first, span)
    return _outcome(start.is_not(None), stop, running, due, today)


CLOCKS = ("transfer", "notice", "promised", "delivery")


def _clock_outcome(clock: str, period: Period, today: date, days: _Days) -> Any:
    if clock in COUNTED_DAYS:
        return _counted_outcome(clock, period, today, days)
    return _stored_outcome(clock, today)


def clock_rates(session: Session, user: StaffUser, period: Period, today: date) -> list[ClockRate]:
    """Every outcome of every clock from one pass over the period's cases, grouped by the
    four outcome codes (an index-only scan on PostgreSQL: the clocks' columns are in the
    dashboard indexes; a few dozen groups come back)."""
    days = _days(period)
    codes = select(*(_clock_outcome(c, period, today, days).label(c) for c in CLOCKS)).where(
        cases(user, period)
    )
    inner = codes.subquery("outcomes")
    keys = [inner.c[c] for c in CLOCKS]
    counts = {clock: dict.fromkeys(OUTCOMES, 0) for clock in CLOCKS}
    names = list(OUTCOMES)
    for *found, n in session.execute(select(*keys, func.count()).group_by(*keys)):
        for clock, code in zip(CLOCKS, found, strict=True):
            if code is not None:
                counts[clock][names[code]] += n
    return [ClockRate(clock, CLOCK_LABELS[clock], counts[clock]) for clock in CLOCKS]


@dataclass(frozen=True)
class Figure:
    """A drill-down: the WHERE clause of the cases behind a figure."""

    clause: Any


def clock_figure(period: Period, clock: str, outcome: str, today: date) -> Figure:
    """The cases of one outcome of one clock: the deadlines page's own expression, so the
    list and the page count the same cases."""
    if outcome not in OUTCOMES:
        raise BadFigure(f"unknown outcome {outcome!r}")
    if clock not in CLOCKS:
        raise BadFigure(f"unknown clock {clock!r}")
    return Figure(_clock_outcome(clock, period, today, _days(period)) == OUTCOME_CODES[outcome])


# ---- satisfaction -------------------------------------------------------------------


def _ratings(user: StaffUser, period: Period) -> Any:
    return (
        select(Evaluation.at_stage, Evaluation.score, func.count())
        .join(Submission, Submission.receipt_no == Evaluation.receipt_no)
        .where(cases(user, period))
        .group_by(Evaluation.at_stage, Evaluation.score)
    )


def satisfaction(session: Session, user: StaffUser, period: Period) -> dict[str, dict[int, int]]:
    """Rated cases per stage and score (5 非常满意 … 1 非常不满意): whole months from the
    roll-ups, the edge days joined live."""
    out: dict[str, dict[int, int]] = {stage: dict.fromkeys(range(5, 0, -1), 0) for stage in STAGES}
    parts = split(period)
    found = list(session.execute(_ratings(user, edge)).all() for edge in parts.edges)
    if parts.months:
        found.append(dashboard_rollups.rating_counts(session, *parts.months, department_scope(user)))
    for rows in found:
        for stage, score, n in rows:
            by_score = out.setdefault(stage, dict.fromkeys(range(5, 0, -1), 0))
            by_score[score] = by_score.get(score, 0) + n
    return out


def rating_clause(stage: str, score: int) -> Any:
    if stage not in STAGES or not 1 <= score <= 5:
        raise BadFigure("unknown rating figure")
    # the stage and score are written into the statement: psycopg prepares a statement run
    # five times, and PostgreSQL's generic plan for it, blind to the score, walked every case
    # for a score of 1 (~1 rating in 50) as for a common one (15 → 230 ms on the bench)
    rated = select(Evaluation.receipt_no).where(
        Evaluation.at_stage == bindparam("stage", stage, literal_execute=True),
        Evaluation.score == bindparam("score", score, literal_execute=True),
    )
    return Submission.receipt_no.in_(rated)
