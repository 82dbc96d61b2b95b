"""整改 (9.2, 国办发〔2019〕51号): a bad rating is checked, answered and fixed in time.

A rating of 1 or 2 (不满意 / 非常不满意) opens a :class:`Rectification` by itself, in the
transaction that stores the rating; a complaint that is not a rating (12345 hotline,
village staff) is opened by staff. The responsible unit makes contact within
``RECTIFICATION_CONTACT_DAYS`` working days (default 1) and verifies, answers the
applicant and fixes within ``RECTIFICATION_FIX_DAYS`` (default 15), counted on the
server's working-day calendar (imported holiday tables first). A unit that thinks the
rating unfair appeals once; the city supervisor decides. Clocks keep running during an
appeal: the supervisor is expected to decide within the time.

The state machine and the counts live here (core: the dashboard and the workspace read
them); who is told about an overdue clock is the workspace's business
(``workspace/rectification_escalation.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from shared_schema import EvaluationStage, RatingReason
from shared_schema.forms import NATIONAL_LEVELS, RATING_REASON_WORDS

from .config import whole_number
from .errors import ApiError
from .models import Department, Evaluation, Rectification, RectificationEvent, Submission
from .workdays import add_working_days, local_date

BAD_SCORE = 2
"""Scores at or below this open a rectification (不满意, 非常不满意)."""
DEFAULT_CONTACT_DAYS = 1
DEFAULT_FIX_DAYS = 15
TEXT_MAX = 2000


class RectificationState(StrEnum):
    open = "open"  # 待联系
    in_progress = "in_progress"  # 整改中 (the applicant was contacted)
    appealed = "appealed"  # 申诉中 (the unit thinks the rating unfair)
    closed = "closed"  # 已整改
    dismissed = "dismissed"  # 申诉成立，不再整改


class RectificationSource(StrEnum):
    rating = "rating"  # 差评
    hotline = "hotline"  # 12345 热线
    village_staff = "village_staff"  # 村级代办员反映
    other = "other"  # 其他渠道


class Step(StrEnum):
    contact = "contact"  # 联系申请人
    verify = "verify"  # 核实情况
    answer = "answer"  # 答复申请人
    fix = "fix"  # 整改完成


class Clock(StrEnum):
    contact = "contact"
    fix = "fix"


STATE_WORDS = {
    RectificationState.open: "待联系", RectificationState.in_progress: "整改中",
    RectificationState.appealed: "申诉中", RectificationState.closed: "已整改",
    RectificationState.dismissed: "申诉成立",
}  # fmt: skip
SOURCE_WORDS = {
    RectificationSource.rating: "差评", RectificationSource.hotline: "12345热线",
    RectificationSource.village_staff: "村级代办员反映", RectificationSource.other: "其他渠道",
}  # fmt: skip
STEP_WORDS = {
    Step.contact: "联系申请人",
    Step.verify: "核实情况",
    Step.answer: "答复申请人",
    Step.fix: "整改完成",
}
CLOCK_WORDS = {Clock.contact: "联系时限", Clock.fix: "整改时限"}
OPEN = (
    RectificationState.open.value,
    RectificationState.in_progress.value,
    RectificationState.appealed.value,
)


def _days(key: str, default: int) -> int:
    return _valid_days(key, current_app.config.get(key, default) if has_app_context() else default)


def _valid_days(key: str, value: Any) -> int:
    return whole_number(key, value, 0, 60, " of working days")


def check_settings(config: Mapping[str, Any]) -> None:
    """A bad time limit stops the server at start, not at the first bad rating (a 500)."""
    _valid_days("RECTIFICATION_CONTACT_DAYS", config.get("RECTIFICATION_CONTACT_DAYS", DEFAULT_CONTACT_DAYS))
    _valid_days("RECTIFICATION_FIX_DAYS", config.get("RECTIFICATION_FIX_DAYS", DEFAULT_FIX_DAYS))


def deadlines(opened_at: datetime) -> tuple[date, date]:
    """(contact_due, fix_due): working days after the day it was opened, China time."""
    day = local_date(opened_at)
    contact = _days("RECTIFICATION_CONTACT_DAYS", DEFAULT_CONTACT_DAYS)
    fix = _days("RECTIFICATION_FIX_DAYS", DEFAULT_FIX_DAYS)
    return add_working_days(day, contact), add_working_days(day, fix)


def _event(rect: Rectification, action: str, actor: str, at: datetime, **detail: Any) -> None:
    rect.events.append(RectificationEvent(action=action, actor=actor[:40], at=at, detail=detail))


def rating_summary(score: int, reasons: list[str] | None, comment: str) -> str:
    words = "、".join(RATING_REASON_WORDS[RatingReason(r)] for r in reasons or [])
    parts = [f"评价{NATIONAL_LEVELS.get(score, str(score))}（{score}）", words, comment.strip()]
    return "；".join(p for p in parts if p)


def open_for_rating(session: Session, rating: Evaluation, now: datetime) -> Rectification | None:
    """A rectification for a bad rating (None for a good one), assigned to the unit that
    served: the handling department for a rating at handling, the station for one at
    collection (the city's triage department for the online zone's, whose desk is virtual).
    A rating at handling of a case no department holds goes to the city's
    triage department, never nowhere."""
    if rating.score > BAD_SCORE:
        return None
    case = (
        session.scalars(select(Submission).where(Submission.receipt_no == rating.receipt_no)).first()
        if rating.receipt_no
        else None
    )
    department, station = None, None
    if rating.at_stage == EvaluationStage.handle.value:
        department = rating.department_code or (case.department_code if case else None) or _triage(session)
    elif case is not None and case.source == "online":
        # the online zone's desk is virtual: no station staff answer for its collection; the
        # city's intake (the triage department) runs the zone's 收件
        department = _triage(session)
    else:
        station = rating.station_code
    contact_due, fix_due = deadlines(now)
    rect = Rectification(
        source=RectificationSource.rating.value, evaluation_id=rating.id,
        submission_id=case.id if case else None, receipt_no=rating.receipt_no,
        matter_code=case.matter_code if case else None, station_code=rating.station_code,
        unit_department_code=department, unit_station_code=station, score=rating.score,
        summary=rating_summary(rating.score, rating.reasons, rating.comment),
        state=RectificationState.open.value, opened_at=now, opened_by="system",
        contact_due=contact_due, fix_due=fix_due,
    )  # fmt: skip
    session.add(rect)
    _event(rect, "opened", "system", now, source="rating", score=rating.score)
    session.flush()
    return rect


def _triage(session: Session) -> str:
    code = session.scalar(select(Department.code).where(Department.is_triage.is_(True)))
    if code is None:
        raise ApiError(409, "no_triage_department", "no department to hold this rating's rectification",
                       "没有可承接整改的部门")  # fmt: skip
    return code


@dataclass(frozen=True)
class Complaint:
    """A problem reported otherwise than by a rating, as staff typed it (already validated)."""

    source: RectificationSource
    summary: str
    unit_department_code: str | None = None
    unit_station_code: str | None = None
    receipt_no: str | None = None
    complainant_name: str | None = None
    complainant_phone: str | None = None


def open_complaint(session: Session, complaint: Complaint, actor: str, now: datetime) -> Rectification:
    """A complaint (12345, village staff …) enters the same workflow as a bad rating."""
    if complaint.source is RectificationSource.rating:
        raise _bad("a complaint cannot claim to be a rating", "投诉来源无效")
    if (complaint.unit_department_code is None) == (complaint.unit_station_code is None):
        raise _bad("name exactly one responsible unit", "请选择一个责任单位（部门或服务站）")
    case = (
        session.scalars(select(Submission).where(Submission.receipt_no == complaint.receipt_no)).first()
        if complaint.receipt_no
        else None
    )
    if complaint.receipt_no and case is None:
        raise ApiError(404, "unknown_receipt", "no case has this receipt number", "没有该受理编号的申请")
    contact_due, fix_due = deadlines(now)
    rect = Rectification(
        source=complaint.source.value, submission_id=case.id if case else None,
        receipt_no=complaint.receipt_no, matter_code=case.matter_code if case else None,
        station_code=case.station_code if case else complaint.unit_station_code,
        unit_department_code=complaint.unit_department_code, unit_station_code=complaint.unit_station_code,
        summary=complaint.summary, complainant_name=complaint.complainant_name,
        complainant_phone=complaint.complainant_phone, state=RectificationState.open.value,
        opened_at=now, opened_by=actor[:40], contact_due=contact_due, fix_due=fix_due,
    )  # fmt: skip
    session.add(rect)
    _event(rect, "opened", actor, now, source=complaint.source.value)
    session.flush()
    return rect


def _bad(message: str, message_zh: str) -> ApiError:
    return ApiError(400, "bad_request", message, message_zh)


def _conflict(message: str, message_zh: str) -> ApiError:
    return ApiError(409, "conflict", message, message_zh)


def _text(value: str, what_zh: str) -> str:
    value = (value or "").strip()
    if not value:
        raise _bad("text required", f"请填写{what_zh}")
    if len(value) > TEXT_MAX:
        raise _bad("text too long", f"{what_zh}不能超过{TEXT_MAX}字")
    return value


def record_step(
    session: Session, rect: Rectification, step: Step, text: str, actor: str, now: datetime
) -> None:
    """Contact first; then verification and the answer (each once); the fix closes it."""
    if rect.state not in (RectificationState.open.value, RectificationState.in_progress.value):
        raise _conflict("this rectification is not open for work", "该整改当前不能办理（申诉中或已结束）")
    body = _text(text, STEP_WORDS[step])
    if step is Step.contact:
        if rect.contacted_at is not None:
            raise _conflict("contact already recorded", "已记录联系申请人")
        rect.contacted_at, rect.contact_note = now, body
        rect.state = RectificationState.in_progress.value
    elif rect.contacted_at is None:
        raise _conflict("contact the applicant first", "请先联系申请人")
    elif step is Step.verify:
        if rect.verified_at is not None:
            raise _conflict("verification already recorded", "已记录核实情况")
        rect.verified_at, rect.verification = now, body
    elif step is Step.answer:
        if rect.answered_at is not None:
            raise _conflict("answer already recorded", "已记录答复申请人")
        rect.answered_at, rect.answer = now, body
    else:
        if rect.verified_at is None or rect.answered_at is None:
            raise _conflict("verify and answer before the fix", "请先记录核实情况和答复申请人")
        rect.fixed_at, rect.fix, rect.closed_at = now, body, now
        rect.state = RectificationState.closed.value
    _event(rect, step.value, actor, now)
    session.flush()


def appeal(session: Session, rect: Rectification, reason: str, actor: str, now: datetime) -> None:
    """申诉: the unit holds the rating unfair; once per rectification, before it is fixed."""
    if rect.source != RectificationSource.rating.value:
        raise _conflict("only a rating can be appealed", "只有差评可以申诉")
    if rect.state not in (RectificationState.open.value, RectificationState.in_progress.value):
        raise _conflict("this rectification cannot be appealed now", "该整改当前不能申诉")
    if rect.appealed_at is not None:
        raise _conflict("already appealed once", "每件差评只能申诉一次")
    rect.appeal_reason, rect.appealed_at = _text(reason, "申诉理由"), now
    rect.state = RectificationState.appealed.value
    _event(rect, "appeal", actor, now)
    session.flush()


def decide_appeal(
    session: Session, rect: Rectification, upheld: bool, opinion: str, actor: str, now: datetime
) -> None:
    """The city supervisor's decision: upheld → no rectification (the rating stays on
    record, marked); rejected → the unit goes on where it stood."""
    if rect.state != RectificationState.appealed.value:
        raise _conflict("no appeal waits for a decision", "该整改没有待审核的申诉")
    rect.appeal_opinion = _text(opinion, "审核意见")
    rect.appeal_decision = "upheld" if upheld else "rejected"
    rect.appeal_decided_at, rect.appeal_decided_by = now, actor[:40]
    if upheld:
        rect.state, rect.closed_at = RectificationState.dismissed.value, now
    else:
        rect.state = (RectificationState.in_progress if rect.contacted_at else RectificationState.open).value
    _event(rect, "appeal_decided", actor, now, decision=rect.appeal_decision)
    session.flush()


def overdue_clocks(rect: Rectification, today: date) -> list[Clock]:
    """The clocks of an unfinished rectification whose due day has passed."""
    if rect.state not in OPEN:
        return []
    late = []
    if rect.contacted_at is None and today > rect.contact_due:
        late.append(Clock.contact)
    if today > rect.fix_due:
        late.append(Clock.fix)
    return late


def escalation_day(due: date) -> date:
    """An overdue clock is escalated on the first working day after its due day (told to
    people at work, not on the first day of a holiday)."""
    return add_working_days(due, 1)


def due_escalations(rect: Rectification, today: date) -> list[tuple[Clock, date]]:
    """(clock, due) pairs to escalate today that were not escalated before."""
    done = {e.clock for e in rect.escalations}
    dues = {Clock.contact: rect.contact_due, Clock.fix: rect.fix_due}
    return [
        (clock, dues[clock])
        for clock in overdue_clocks(rect, today)
        if clock.value not in done and today >= escalation_day(dues[clock])
    ]


def overdue_clause(today: date):  # type: ignore[no-untyped-def]
    """SQL: unfinished and past a due day (the same rule as :func:`overdue_clocks`)."""
    return and_(
        Rectification.state.in_(OPEN),
        or_(
            Rectification.fix_due < today,
            and_(Rectification.contacted_at.is_(None), Rectification.contact_due < today),
        ),
    )


@dataclass(frozen=True)
class RectificationCounts:
    open: int
    overdue: int
    appealed: int


def open_counts(
    session: Session, now: datetime, department_code: str | None = None, station_code: str | None = None
) -> RectificationCounts:
    """Unfinished rectifications (and how many are overdue or under appeal), for the
    dashboard: the whole city, or one responsible department or station."""
    today = local_date(now)
    where = [Rectification.state.in_(OPEN)]
    if department_code is not None:
        where.append(Rectification.unit_department_code == department_code)
    if station_code is not None:
        where.append(Rectification.unit_station_code == station_code)
    late = overdue_clause(today)
    row = session.execute(
        select(
            func.count(),
            func.count().filter(late),
            func.count().filter(Rectification.state == RectificationState.appealed.value),
        ).where(*where)
    ).one()
    return RectificationCounts(open=row[0], overdue=row[1], appealed=row[2])


def open_counts_by_department(session: Session, now: datetime) -> dict[str, RectificationCounts]:
    """The same counts per responsible department (stations' own are left out)."""
    late = overdue_clause(local_date(now))
    rows = session.execute(
        select(
            Rectification.unit_department_code,
            func.count(),
            func.count().filter(late),
            func.count().filter(Rectification.state == RectificationState.appealed.value),
        )
        .where(Rectification.state.in_(OPEN), Rectification.unit_department_code.is_not(None))
        .group_by(Rectification.unit_department_code)
    ).all()
    return {code: RectificationCounts(open=n, overdue=o, appealed=a) for code, n, o, a in rows}
