"""The city triage queue: submissions no rule could route, and reassigning them with a reason.

A reassignment goes through the routing engine's own ``reassign`` (a RoutingDecision with
the administrator's name and reason, and a ``routed`` event the kiosk sees).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared_schema import SubmissionState as S

from ..errors import ApiError
from ..models import Department, DepartmentMatter, RoutingDecision, Submission
from ..routing import reassign
from .errors import WorkspaceError
from .inbox import InboxRow, select_rows, to_row
from .models import StaffUser

TRIAGE_STATES = (S.acknowledged.value, S.routed.value)


def _in_triage():  # type: ignore[no-untyped-def]
    triage_codes = select(Department.code).where(Department.is_triage)
    return or_(Submission.department_code.is_(None), Submission.department_code.in_(triage_codes)) & (
        Submission.state.in_(TRIAGE_STATES)
    )


@dataclass
class TriageItem:
    row: InboxRow
    reason_zh: str
    candidates: list[tuple[str, str]]


def queue(session: Session, today: date, limit: int = 200) -> list[TriageItem]:
    found = session.execute(select_rows(_in_triage()).order_by(Submission.collected_at).limit(limit)).all()
    if not found:
        return []
    ids = [row[0].id for row in found]
    reasons: dict[int, str] = {}
    for decision in session.scalars(
        select(RoutingDecision).where(RoutingDecision.submission_id.in_(ids)).order_by(RoutingDecision.id)
    ):
        reasons[decision.submission_id] = decision.reason_zh
    handlers: dict[str, list[tuple[str, str]]] = {}
    for matter, code, name in session.execute(
        select(DepartmentMatter.matter_code, Department.code, Department.name)
        .join(Department, Department.code == DepartmentMatter.department_code)
        .where(Department.active, ~Department.is_triage)
        .order_by(Department.code)
    ):
        handlers.setdefault(matter, []).append((code, name))
    return [
        TriageItem(to_row(row, today), reasons.get(row[0].id, ""), handlers.get(row[0].matter_code, []))
        for row in found
    ]


def all_departments(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        select(Department.code, Department.name)
        .where(Department.active, ~Department.is_triage)
        .order_by(Department.code)
    )
    return [tuple(r) for r in rows]


def reassign_from_triage(
    session: Session, user: StaffUser, submission_id: int, department_code: str, reason: str
) -> Submission:
    """Hand a triaged submission to ``department_code``; the reason is required and recorded."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkspaceError("a reason is required", "请填写改派理由")
    if len(reason) > 500:
        raise WorkspaceError("reason too long", "改派理由不能超过 500 字")
    submission = session.scalar(select(Submission).where(Submission.id == submission_id, _in_triage()))
    if submission is None:
        raise WorkspaceError("not in the triage queue", "该申请不在分拣队列中", status=404)
    dept = session.get(Department, department_code)
    if dept is None or not dept.active or dept.is_triage:
        raise WorkspaceError("unknown department", "请选择有效的办理部门")
    try:
        reassign(
            session, submission, department_code,
            f"reassigned from triage by {user.username}", f"市级分拣改派至{dept.name}：{reason}",
            by=user.username,
        )  # fmt: skip
    except ApiError as exc:
        raise WorkspaceError(exc.message, exc.message_zh, status=exc.status) from None
    return submission
