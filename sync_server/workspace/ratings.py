"""Every rating (评价, 9.1) as staff read it: by matter, station, department and staff member.

A rating's department is the one stored with it, else its case's; its staff member is,
for a rating at handling, the person who completed the case (办结人员), and none for a
rating at collection (the resident served themself at the kiosk). Rows are read in one
query per page (names joined, the completing staff member a correlated subquery);
summaries and exports take everything the filter selects, up to ``SUMMARY_CAP`` (more
is refused with a request to narrow the period, never cut short unseen).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session, aliased

from shared_schema import EvaluationStage, RatingReason, SubmissionState
from shared_schema.forms import NATIONAL_LEVELS, RATING_REASON_WORDS

from ..models import Department, Evaluation, Matter, Rectification, Station, Submission, SubmissionEvent
from ..rectification import STATE_WORDS, RectificationState
from ..workdays import CHINA_TZ
from .errors import WorkspaceError
from .feedback_scope import rating_case_join, rating_department, ratings_visible
from .models import StaffUser
from .paperwork import full_names
from .query import day_range, equal

SUMMARY_CAP = 50_000
STAGE_WORDS = {EvaluationStage.collect.value: "收件", EvaluationStage.handle.value: "办理"}
CHANNEL_WORDS = {"kiosk": "自助终端", "phone": "电话回访", "online": "网上专区"}
DIMENSIONS = {"matter": "事项", "station": "服务站", "department": "办理部门", "staff": "工作人员"}
NO_STAFF = "（自助办理）"


@dataclass(frozen=True)
class RatingFilter:
    department_code: str | None = None
    matter_code: str | None = None
    station_code: str | None = None
    stage: str | None = None
    bad_only: bool = False
    day_from: date | None = None
    day_to: date | None = None


@dataclass(frozen=True)
class RatingRow:
    """One rating with the names staff read and the national 好差评 level."""

    evaluation_uuid: str
    receipt_no: str | None
    submission_id: int | None
    matter_code: str | None
    matter_name: str
    department_code: str | None
    department_name: str
    station_code: str
    station_name: str
    stage: str
    channel: str
    rated_at: datetime
    score: int
    reasons: list[str]
    comment: str
    staff: str | None  # username
    rectification_state: str | None

    @property
    def level(self) -> str:
        return NATIONAL_LEVELS[self.score]

    @property
    def reason_words(self) -> list[str]:
        return [RATING_REASON_WORDS[RatingReason(r)] for r in self.reasons]


def _completed_by():  # type: ignore[no-untyped-def]
    """Who completed the rating's case (办结): the staff member a rating at handling rates."""
    event = aliased(SubmissionEvent)
    completer = (
        select(event.actor)
        .where(event.submission_id == Submission.id, event.state == SubmissionState.completed.value)
        .order_by(event.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return case((Evaluation.at_stage == EvaluationStage.handle.value, completer), else_=None)


def _query(user: StaffUser, f: RatingFilter):  # type: ignore[no-untyped-def]
    dept = rating_department()
    query = rating_case_join(
        select(
            Evaluation,
            Submission.id,
            Submission.matter_code,
            Matter.name,
            dept,
            Department.name,
            Station.name,
            _completed_by(),
            Rectification.state,
        )
    )
    query = (
        query.outerjoin(Matter, Matter.code == Submission.matter_code)
        .outerjoin(Department, Department.code == dept)
        .outerjoin(Station, Station.code == Evaluation.station_code)
        .outerjoin(Rectification, Rectification.evaluation_id == Evaluation.id)
        .where(ratings_visible(user))
    )
    pairs = [(dept, f.department_code), (Submission.matter_code, f.matter_code),
             (Evaluation.station_code, f.station_code), (Evaluation.at_stage, f.stage)]  # fmt: skip
    query = query.where(*equal(pairs), *day_range(Evaluation.created_at, f.day_from, f.day_to))
    if f.bad_only:
        query = query.where(Evaluation.score <= 2)
    return query.order_by(Evaluation.created_at.desc(), Evaluation.id.desc())


def rows(session: Session, user: StaffUser, f: RatingFilter, limit: int, offset: int = 0) -> list[RatingRow]:
    result = session.execute(_query(user, f).limit(limit).offset(offset)).all()
    return [
        RatingRow(
            evaluation_uuid=str(ev.evaluation_uuid),
            receipt_no=ev.receipt_no,
            submission_id=sub_id,
            matter_code=matter_code,
            matter_name=matter_name or matter_code or "",
            department_code=dept_code,
            department_name=dept_name or dept_code or "",
            station_code=ev.station_code,
            station_name=station_name or ev.station_code,
            stage=ev.at_stage,
            channel=ev.channel,
            rated_at=ev.created_at,
            score=ev.score,
            reasons=list(ev.reasons or []),
            comment=ev.comment,
            staff=staff,
            rectification_state=rect_state,
        )
        for ev, sub_id, matter_code, matter_name, dept_code, dept_name, station_name, staff, rect_state in (
            result
        )
    ]


@dataclass
class Group:
    """One line of a summary: how a matter / station / department / staff member was rated."""

    key: str
    label: str
    count: int = 0
    total: int = 0
    levels: Counter[int] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def average(self) -> float:
        return round(self.total / self.count, 2) if self.count else 0.0

    @property
    def bad(self) -> int:
        return self.levels[1] + self.levels[2]

    @property
    def satisfied_rate(self) -> float:
        """Share rated 基本满意 or better (3–5), the national 满意率."""
        return round(100 * (self.count - self.bad) / self.count, 1) if self.count else 0.0

    def reason_words(self) -> str:
        return "、".join(f"{RATING_REASON_WORDS[RatingReason(r)]} {n}" for r, n in self.reasons.most_common())


def every_row(session: Session, user: StaffUser, f: RatingFilter) -> list[RatingRow]:
    """All the ratings the filter selects, for a summary or an export; more than
    ``SUMMARY_CAP`` is refused (400, narrow the period) rather than cut short unseen."""
    found = rows(session, user, f, SUMMARY_CAP + 1)
    if len(found) > SUMMARY_CAP:
        raise WorkspaceError(
            f"more than {SUMMARY_CAP} ratings selected", f"所选评价超过 {SUMMARY_CAP} 条，请缩小日期范围"
        )
    return found


def summary(session: Session, user: StaffUser, f: RatingFilter, dimension: str) -> list[Group]:
    """Ratings grouped by one dimension (DIMENSIONS), most ratings first."""
    all_rows = every_row(session, user, f)
    names = full_names(session, {r.staff for r in all_rows}) if dimension == "staff" else {}
    groups: dict[str, Group] = {}
    for row in all_rows:
        key, label = _key(row, dimension, names)
        group = groups.setdefault(key, Group(key=key, label=label))
        group.count += 1
        group.total += row.score
        group.levels[row.score] += 1
        group.reasons.update(row.reasons)
    return sorted(groups.values(), key=lambda g: (-g.count, g.key))


def _key(row: RatingRow, dimension: str, names: dict[str, str]) -> tuple[str, str]:
    if dimension == "matter":
        return row.matter_code or "-", row.matter_name or "（未关联申请）"
    if dimension == "station":
        return row.station_code, row.station_name
    if dimension == "department":
        return row.department_code or "-", row.department_name or "（未分派）"
    return row.staff or "-", names.get(row.staff or "", row.staff or NO_STAFF)


def rectification_words(state: str | None) -> str:
    return STATE_WORDS[RectificationState(state)] if state else ""


def export_record(row: RatingRow, staff_names: dict[str, str]) -> dict[str, Any]:
    """One rating in the 好差评 export: the national level code is the score (1–5)."""
    return {
        "evaluation_uuid": row.evaluation_uuid,
        "receipt_no": row.receipt_no,
        "matter_code": row.matter_code,
        "matter_name": row.matter_name,
        "department_code": row.department_code,
        "department_name": row.department_name,
        "station_code": row.station_code,
        "station_name": row.station_name,
        "stage": row.stage,
        "stage_name": STAGE_WORDS.get(row.stage, row.stage),
        "channel": row.channel,
        "channel_name": CHANNEL_WORDS.get(row.channel, row.channel),
        "rated_at": row.rated_at.astimezone(CHINA_TZ).isoformat(),
        "level_code": row.score,
        "level_name": row.level,
        "reasons": row.reasons,
        "reason_names": row.reason_words,
        "comment": row.comment,
        "staff_name": staff_names.get(row.staff or "", row.staff) if row.staff else None,
        "rectification": rectification_words(row.rectification_state) or None,
    }
