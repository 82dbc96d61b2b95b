"""The dashboard's figures, each with the WHERE clause of the cases behind it.

Every figure is a count of cases (submissions) collected in the period and visible to
the user (``scope.visible``: a department sees its own, the city all). The drill-down of
a figure is built from the *same* clause, so the list has exactly the cases counted.
Aggregation happens in SQL (GROUP BY, conditional counts); only the grouped rows come
back. Clocks with a stored due day (transfer, promised) compare it in SQL; clocks whose
due day is counted (notice: 5 working days, delivery) get a due day per possible start
day, computed once per request with the working-day calendar and looked up in SQL by the
case's start day (``dashboard_sql.day_lookup``). All four clocks are counted in one pass.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, false, func, select
from sqlalchemy.orm import Session

from shared_schema import SubmissionState as S

from ..models import Department, Evaluation, Matter, Station, Submission, SubmissionEvent
from ..workdays import CHINA_TZ, count_working_days
from .dashboard_sql import china_day, day_lookup
from .limits import NOTICE_WORKING_DAYS
from .models import StaffUser
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
        return and_(Submission.collected_at >= start, Submission.collected_at < end)


def cases(user: StaffUser, period: Period) -> Any:
    return and_(visible(user), period.clause())


# ---- volumes ------------------------------------------------------------------------

_DIM_COLUMNS = {
    "matter": Submission.matter_code,
    "station": Submission.station_code,
    "department": Submission.department_code,
    "channel": Submission.source,
}


def volumes(session: Session, user: StaffUser, period: Period) -> dict[str, list[tuple[str, str, int]]]:
    """``{dimension: [(key, label, count), …]}``, largest first, from one grouped scan."""
    cols = list(_DIM_COLUMNS.values())
    rows = session.execute(select(*cols, func.count()).where(cases(user, period)).group_by(*cols)).all()
    labels = names(session)
    tiers = {a: b for a, b in session.execute(select(Matter.code, Matter.frequency))}
    totals: dict[str, Counter[str]] = {dim: Counter() for dim in DIMENSIONS}
    for matter, station, department, channel, n in rows:
        for dim, key in (("matter", matter), ("station", station), ("department", department),
                         ("channel", channel), ("tier", tiers.get(matter, "")),):  # fmt: skip
            totals[dim][key or ""] += n
    return {
        dim: [(key, label_of(labels, dim, key), n) for key, n in counts.most_common()]
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


def _first_answers() -> Any:
    """When the department first answered each case's materials: accept, 补正 or 不予受理.

    One grouped pass over the events, joined to the cases (a correlated subquery would
    probe the events once per case: over a second for 100,000 cases).
    """
    answered = (S.accepted.value, S.correction_requested.value, S.rejected.value)
    return (
        select(SubmissionEvent.submission_id.label("submission_id"), func.min(SubmissionEvent.at).label("at"))
        .where(SubmissionEvent.state.in_(answered))
        .group_by(SubmissionEvent.submission_id)
        .subquery("first_answer")
    )


def _first_answer_of_case() -> Any:
    """The case's first answer, probed per case on ``ix_submission_events_answers``: the
    drill-down walks the newest cases and stops after a page, so a few hundred probes
    beat grouping every event of the city (``_first_answers``, right for the full pass)."""
    answered = (S.accepted.value, S.correction_requested.value, S.rejected.value)
    return (
        select(func.min(SubmissionEvent.at))
        .where(SubmissionEvent.submission_id == Submission.id, SubmissionEvent.state.in_(answered))
        .correlate(Submission)
        .scalar_subquery()
    )


def _outcomes(started: Any, stop: Any, running: Any, due: Any, today: date) -> dict[str, Any]:
    """The four outcome clauses of a clock: stopped by its due day or after it; still
    running past it or not. The page counts them and the drill-down lists them."""
    stopped = and_(started, stop.is_not(None))
    waiting = and_(started, stop.is_(None), running)
    return {
        "on_time": and_(stopped, china_day(stop) <= due),
        "late": and_(stopped, china_day(stop) > due),
        "overdue": and_(waiting, due < today),
        "running": and_(waiting, due >= today),
    }


def _stored_clauses(clock: str, today: date) -> dict[str, Any]:
    """Outcome clauses of a clock whose due day is a column."""
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
    return _outcomes(started, stop, running, due, today)


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


def _counted_clauses(
    clock: str, period: Period, today: date, days: _Days, first_answer: Any = None
) -> dict[str, Any]:
    """Outcome clauses of a clock whose due day is counted from its start day (notice: 5
    working days from the transfer; delivery: from completion). Every start day the
    period can have (its first day to today) gets its due day once, in Python, with the
    working-day calendar; SQL looks it up by the case's start day. ``first_answer``: the
    joined ``_first_answers()`` (a full pass); without it, probed per case (a list)."""
    last = max(period.last, today) + timedelta(days=STARTS_AFTER_TODAY)
    span = days.dues(period.first, last, COUNTED_DAYS[clock])
    if clock == "notice":
        start = Submission.transferred_at
        stop = _first_answer_of_case() if first_answer is None else first_answer.c.at
        running = Submission.state == S.routed.value
    else:
        start, stop, running = (
            Submission.completed_at,
            Submission.delivered_at,
            Submission.state == S.completed.value,
        )
    due = day_lookup(china_day(start), period.first, span)
    return _outcomes(start.is_not(None), stop, running, due, today)


CLOCKS = ("transfer", "notice", "promised", "delivery")


def clock_rates(session: Session, user: StaffUser, period: Period, today: date) -> list[ClockRate]:
    """Every outcome of every clock counted in one pass over the period's cases, joined to
    their first answers (one grouped pass over the events)."""
    answers, days = _first_answers(), _days(period)
    clauses = {
        "transfer": _stored_clauses("transfer", today),
        "notice": _counted_clauses("notice", period, today, days, answers),
        "promised": _stored_clauses("promised", today),
        "delivery": _counted_clauses("delivery", period, today, days),
    }
    columns = [func.count().filter(c) for clock in CLOCKS for c in clauses[clock].values()]
    query = (
        select(*columns)
        .select_from(Submission)
        .outerjoin(answers, answers.c.submission_id == Submission.id)
        .where(cases(user, period))
    )
    found = iter(session.execute(query).one())
    return [ClockRate(clock, CLOCK_LABELS[clock], {o: next(found) for o in OUTCOMES}) for clock in CLOCKS]


@dataclass(frozen=True)
class Figure:
    """A drill-down: the WHERE clause of the cases behind a figure, and their number when
    the page's own arithmetic already knows it (``None``: count the clause)."""

    clause: Any
    total: int | None = None


def clock_figure(
    session: Session, user: StaffUser, period: Period, clock: str, outcome: str, today: date
) -> Figure:
    """The cases of one outcome of one clock. A counted clock's total is the deadlines
    page's own figure (the same pass), so the list and the page cannot disagree."""
    if outcome not in OUTCOMES:
        raise BadFigure(f"unknown outcome {outcome!r}")
    if clock in ("transfer", "promised"):
        return Figure(_stored_clauses(clock, today)[outcome])
    if clock not in COUNTED_DAYS:
        raise BadFigure(f"unknown clock {clock!r}")
    rates = {r.clock: r for r in clock_rates(session, user, period, today)}
    total = rates[clock].counts[outcome]
    if not total:
        return Figure(false(), 0)
    return Figure(_counted_clauses(clock, period, today, _days(period))[outcome], total)


# ---- satisfaction -------------------------------------------------------------------


def _ratings(user: StaffUser, period: Period) -> Any:
    return (
        select(Evaluation.at_stage, Evaluation.score, func.count())
        .join(Submission, Submission.receipt_no == Evaluation.receipt_no)
        .where(cases(user, period))
        .group_by(Evaluation.at_stage, Evaluation.score)
    )


def satisfaction(session: Session, user: StaffUser, period: Period) -> dict[str, dict[int, int]]:
    """Rated cases per stage and score (5 非常满意 … 1 非常不满意)."""
    out: dict[str, dict[int, int]] = {stage: dict.fromkeys(range(5, 0, -1), 0) for stage in STAGES}
    for stage, score, n in session.execute(_ratings(user, period)).all():
        out.setdefault(stage, dict.fromkeys(range(5, 0, -1), 0))[score] = n
    return out


def rating_clause(stage: str, score: int) -> Any:
    if stage not in STAGES or not 1 <= score <= 5:
        raise BadFigure("unknown rating figure")
    rated = select(Evaluation.receipt_no).where(Evaluation.at_stage == stage, Evaluation.score == score)
    return Submission.receipt_no.in_(rated)
