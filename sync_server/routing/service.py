"""Apply routing decisions to submissions: on ingest, and when triage reassigns one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shared_schema import SubmissionState

from ..db import utcnow
from ..errors import ApiError
from ..events import add_event, record_event
from ..models import Department, RoutingDecision, Submission, SubmissionEvent
from .directory import Directory
from .engine import Decision, decide
from .snapshot import CatalogSnapshot, catalog_snapshot


def route_new(submission: Submission, catalog: CatalogSnapshot, *, at: datetime) -> SubmissionEvent | None:
    """Route a submission being ingested, in memory (the caller inserts and publishes).

    Returns the ``routed`` event, or None when nobody can take it yet (no triage
    department configured): it then stays acknowledged and waits for an admin.
    """
    kiosk_division = catalog.station_division(submission.station_code) or submission.home_division
    decision = decide(catalog, submission.matter_code, submission.home_division, kiosk_division)
    _record_decision(submission, decision, by="engine", at=at)
    if decision.department_code is None:
        return None
    message, detail = _routed_text(catalog, decision)
    return add_event(submission, SubmissionState.routed, message, detail, actor="engine", at=at)


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
    moment = at or utcnow()
    row = _record_decision(submission, decision, by=by, at=moment)
    message, detail = _routed_text(catalog_snapshot(session), decision)
    record_event(session, submission, SubmissionState.routed, message, detail, actor=by, at=moment)
    return row


def _record_decision(submission: Submission, decision: Decision, *, by: str, at: datetime) -> RoutingDecision:
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
    return row


def _routed_text(directory: Directory, decision: Decision) -> tuple[str, dict[str, Any]]:
    assert decision.department_code is not None
    name = directory.name(decision.department_code)
    message = "申请正在分派办理部门" if decision.triage else f"申请已转至{name}"
    return message, {"department_code": decision.department_code, "rule": decision.rule}
