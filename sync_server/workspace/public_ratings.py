"""好差评 results made public (国办发〔2019〕51号: results are published), one month at a time.

Per department: how many ratings, the 满意率 (share rated 3–5), the bad ones and what
became of their rectifications. Counts only — no receipt number, comment, staff member or
applicant — so the public page holds no personal data. A rating without a department (at
collection, nobody has the case yet) counts under 服务站收件.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from ..models import Department, Evaluation, Rectification
from ..rectification import RectificationSource, RectificationState
from .feedback_scope import rating_case_join, rating_department
from .query import day_range

AT_STATIONS = "服务站收件"


@dataclass(frozen=True)
class UnitResult:
    name: str
    ratings: int
    satisfied: int
    bad: int
    fixed: int  # the bad ratings' rectifications closed (已整改)
    dismissed: int  # found unfair on appeal (申诉成立)

    @property
    def satisfied_rate(self) -> float:
        return round(100 * self.satisfied / self.ratings, 1) if self.ratings else 0.0


def month_days(month: date) -> tuple[date, date]:
    """The first and last China date of the month ``month`` falls in."""
    first = month.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    return first, after - timedelta(days=1)


def by_department(session: Session, month: date) -> list[UnitResult]:
    """Every unit rated in the month, most ratings first; then the whole city."""
    first, last = month_days(month)
    unit = rating_department()
    rated = rating_case_join(
        select(
            unit.label("unit"),
            func.count().label("n"),
            func.sum((Evaluation.score >= 3).cast(Integer)).label("good"),
        ).where(*day_range(Evaluation.created_at, first, last))
    ).group_by(unit)
    fixed = rating_case_join(
        select(unit.label("unit"), Rectification.state, func.count().label("n"))
        .join(Rectification, Rectification.evaluation_id == Evaluation.id)
        .where(Rectification.source == RectificationSource.rating.value)
        .where(*day_range(Evaluation.created_at, first, last))
    ).group_by(unit, Rectification.state)
    names = {code: name for code, name in session.execute(select(Department.code, Department.name))}
    outcome: dict[str | None, dict[str, int]] = {}
    for code, state, n in session.execute(fixed):
        outcome.setdefault(code, {})[state] = int(n)
    rows = []
    for code, n, good in session.execute(rated):
        states = outcome.get(code, {})
        rows.append(
            UnitResult(
                name=names.get(code, code) if code else AT_STATIONS,
                ratings=int(n),
                satisfied=int(good or 0),
                bad=int(n) - int(good or 0),
                fixed=states.get(RectificationState.closed.value, 0),
                dismissed=states.get(RectificationState.dismissed.value, 0),
            )
        )
    return sorted(rows, key=lambda r: (-r.ratings, r.name))


def city_total(rows: list[UnitResult]) -> UnitResult:
    return UnitResult(
        name="全市",
        ratings=sum(r.ratings for r in rows),
        satisfied=sum(r.satisfied for r in rows),
        bad=sum(r.bad for r in rows),
        fixed=sum(r.fixed for r in rows),
        dismissed=sum(r.dismissed for r in rows),
    )
