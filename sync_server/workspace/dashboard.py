"""The dashboard's figures, each with the WHERE clause of the cases behind it.

Every figure is a count of cases (submissions) collected in the period and visible to
the user (``scope.visible``: a department sees its own, the city all). The drill-down of
a figure is built from the *same* clause, so the list has exactly the cases counted.
Aggregation happens in SQL (GROUP BY, conditional counts); only the grouped rows come
back. Clocks with a stored due day (transfer, promised) compare it in SQL; clocks whose
due day is counted (notice: 5 working days, delivery) group by their (start day, stop
day) pairs and judge each pair with the working-day calendar — a few hundred pairs, not
100,000 rows.
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


def _stored_clauses(clock: str, today: date) -> dict[str, Any]:
    """Outcome clauses of a clock whose due day is a column."""
    if clock == "transfer":
        stop, due = Submission.transferred_at, Submission.transfer_due
        running = Submission.state.in_([S.acknowledged.value, S.routed.value])
        started = Submission.id.is_not(None)
    else:  # promised
        stop, due = Submission.completed_at, Submission.promised_due
        running = Submission.state.in_([S.accepted.value, S.special_stage.value])
        started = Submission.accepted_at.is_not(None)
    stopped = and_(started, stop.is_not(None))
    return {
        "on_time": and_(stopped, china_day(stop) <= due),
        "late": and_(stopped, china_day(stop) > due),
        "overdue": and_(started, stop.is_(None), running, due < today),
        "running": and_(started, stop.is_(None), running, due >= today),
    }


@dataclass(frozen=True)
class _Counted:
    """A clock judged by (start day, stop day) pairs: start, stop, running state, days, and
    the table the stop comes from when it is not a column of the case."""

    start: Any
    stop: Any
    running: Any
    days: int
    joined: Any = None

    def select(self, *columns: Any) -> Any:
        query = select(*columns).select_from(Submission)
        if self.joined is not None:
            query = query.outerjoin(self.joined, self.joined.c.submission_id == Submission.id)
        return query


def _counted(clock: str) -> _Counted:
    if clock == "notice":
        answers = _first_answers()
        return _Counted(Submission.transferred_at, answers.c.at, Submission.state == S.routed.value,
                        NOTICE_WORKING_DAYS, answers)  # fmt: skip
    return _Counted(Submission.completed_at, Submission.delivered_at, Submission.state == S.completed.value,
                    DELIVERY_DAYS)  # fmt: skip


def _pairs(session: Session, where: Any, clock: str) -> list[tuple[date, date | None, bool, int]]:
    spec = _counted(clock)
    start, stop = china_day(spec.start), china_day(spec.stop)
    query = (
        spec.select(start, stop, spec.running, func.count())
        .where(where, spec.start.is_not(None))
        .group_by(start, stop, spec.running)
    )
    return [(_day(a), _day(b), bool(r), n) for a, b, r, n in session.execute(query).all()]


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))  # SQLite answers date() as text


class _Days:
    """Working-day positions, remembered for the request: the n-th working day after
    ``start`` is the first day whose position is ``pos(start) + n`` (one prefix-table
    lookup per distinct day instead of walking the calendar for every pair)."""

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

    def judge(self, start: date, stop: date | None, running: bool, n: int, today: date) -> str | None:
        begin = self.pos(start)
        if stop is not None:
            used = self.pos(stop) - begin  # ≤ n − 1: before the due day; = n: the due day if stop works
            worked = self.pos(stop) - self.pos(stop - timedelta(days=1)) == 1
            return "on_time" if used < n or (used == n and worked) else "late"
        if not running:
            return None  # stopped otherwise (withdrawn, rejected after acceptance …): not judged
        return "overdue" if self.pos(today - timedelta(days=1)) - begin >= n else "running"


def clock_rates(session: Session, user: StaffUser, period: Period, today: date) -> list[ClockRate]:
    where = cases(user, period)
    out = []
    stored = {"transfer": _stored_clauses("transfer", today), "promised": _stored_clauses("promised", today)}
    columns = [func.count().filter(c) for clauses in stored.values() for c in clauses.values()]
    row = session.execute(select(*columns).where(where)).one()
    values = iter(row)
    rates = {clock: {k: next(values) for k in clauses} for clock, clauses in stored.items()}
    days = _Days(period.first - timedelta(days=1))
    for clock in ("notice", "delivery"):
        counts = dict.fromkeys(OUTCOMES, 0)
        limit = _counted(clock).days
        for start, stop, running, n in _pairs(session, where, clock):
            outcome = days.judge(start, stop, running, limit, today)
            if outcome:
                counts[outcome] += n
        rates[clock] = counts
    for clock in ("transfer", "notice", "promised", "delivery"):
        out.append(ClockRate(clock, CLOCK_LABELS[clock], rates[clock]))
    return out


@dataclass(frozen=True)
class Figure:
    """A drill-down: the WHERE clause of the cases behind a figure, and their number when
    the page's own arithmetic already knows it (``None``: count the clause)."""

    clause: Any
    total: int | None = None


def _first_answer_of_case() -> Any:
    """The case's first answer, probed per case on ``ix_submission_events_answers``: the
    drill-down walks the newest cases and stops after a page, so a few hundred probes
    beat grouping every event of the city (``_first_answers``, right for the full count)."""
    answered = (S.accepted.value, S.correction_requested.value, S.rejected.value)
    return (
        select(func.min(SubmissionEvent.at))
        .where(SubmissionEvent.submission_id == Submission.id, SubmissionEvent.state.in_(answered))
        .correlate(Submission)
        .scalar_subquery()
    )


def clock_figure(
    session: Session, user: StaffUser, period: Period, clock: str, outcome: str, today: date
) -> Figure:
    """The cases of one outcome of one clock; a counted clock's total comes from the same
    day pairs the deadlines page judged, so the list and the page cannot disagree."""
    if outcome not in OUTCOMES:
        raise BadFigure(f"unknown outcome {outcome!r}")
    if clock in ("transfer", "promised"):
        return Figure(_stored_clauses(clock, today)[outcome])
    if clock not in ("notice", "delivery"):
        raise BadFigure(f"unknown clock {clock!r}")
    spec, days = _counted(clock), _Days(period.first - timedelta(days=1))
    pairs = _pairs(session, cases(user, period), clock)
    total = sum(
        n
        for start, stop, running, n in pairs
        if days.judge(start, stop, running, spec.days, today) == outcome
    )
    starts = sorted({start for start, _, _, _ in pairs})
    if not total:
        return Figure(false(), 0)
    # each start day's due day, looked up by the case's start day
    first = starts[0]
    due_of = {day: days.due(day, spec.days) for day in starts}
    span = [due_of.get(first + timedelta(days=i)) for i in range((starts[-1] - first).days + 1)]
    due = day_lookup(china_day(spec.start), first, span)
    stop_at = _first_answer_of_case() if clock == "notice" else spec.stop
    stop = china_day(stop_at)
    stopped = and_(spec.start.is_not(None), stop_at.is_not(None))
    running = and_(spec.start.is_not(None), stop_at.is_(None), spec.running)
    judged = {
        "on_time": and_(stopped, stop <= due),
        "late": and_(stopped, stop > due),
        "overdue": and_(running, due < today),
        "running": and_(running, due >= today),
    }[outcome]
    return Figure(judged, total)


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
