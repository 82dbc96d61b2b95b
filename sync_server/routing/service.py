"""Apply routing decisions to submissions: on ingest, and when triage reassigns one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from shared_schema import SubmissionState

from ..db import utcnow
from ..errors import ApiError
from ..events import record_event
from ..models import Department, RoutingDecision, Station, Submission
from .directory import DbDirectory
from .engine import Decision, decide


def route_submission(
    session: Session, submission: Submission, *, at: datetime | None = None
) -> RoutingDecision:
    """Decide where a freshly acknowledged submission goes and record it. Caller commits."""
    station = session.get(Station, submission.station_code) if submission.station_code else None
    kiosk_division = station.division_code if station else submission.home_division
    directory = DbDirectory(session)
    decision = decide(directory, submission.matter_code, submission.home_division, kiosk_division)
    return _apply(session, submission, decision, by="engine", at=at or utcnow())


def reassign(
    session: Session,
    submission: Submission,
    department_code: str,
    reason_en: str,
    reason_zh: str,
    *,
    by: str,
    at: datetime | None = None,
) -> RoutingDecision:
    """Triage (or a department) hands a submission to another department, with a reason."""
    dept = session.get(Department, department_code)
    if dept is None or not dept.active:
        raise ApiError(404, "unknown_department", f"no active department {department_code}", "未找到该部门")
    decision = Decision(dept.code, "reassigned", reason_en, reason_zh, triage=dept.is_triage)
    return _apply(session, submission, decision, by=by, at=at or utcnow())


def _apply(
    session: Session, submission: Submission, decision: Decision, *, by: str, at: datetime
) -> RoutingDecision:
    row = RoutingDecision(
        department_code=decision.department_code,
        rule=decision.rule,
        reason_en=decision.reason_en,
        reason_zh=decision.reason_zh,
        decided_at=at,
        decided_by=by,
    )
    submission.decisions.append(row)
    submission.department_code = decision.department_code
    if not decision.triage and submission.transferred_at is None:
        submission.transferred_at = at
    if decision.department_code is None:
        return row  # nobody to route to yet: stays acknowledged, waits for an admin
    name = DbDirectory(session).name(decision.department_code)
    message = "申请正在分派办理部门" if decision.triage else f"申请已转至{name}"
    record_event(
        session,
        submission,
        SubmissionState.routed,
        message,
        {"department_code": decision.department_code, "rule": decision.rule},
        actor=by,
        at=at,
    )
    return row
