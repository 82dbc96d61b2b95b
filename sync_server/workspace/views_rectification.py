"""整改 in the workspace: the list with its clocks, one rectification's page and its steps,
complaints entered by staff, the unit's appeal and the city supervisor's decision.

Every POST is one write transaction with its audit entry; the unit's steps are for the
responsible unit's own staff only (403 for anyone else who may read it); a rectification
outside the user's scope answers 404.
"""

from __future__ import annotations

import re

from flask import Response, redirect, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shared_schema.bounds import PERSON_NAME_LEN
from shared_schema.identifiers import validate_phone
from shared_schema.submission import RECEIPT_NO

from .. import clock
from ..db import get_db
from ..models import Department, Rectification, Station
from ..rectification import (
    CLOCK_WORDS,
    OPEN,
    SOURCE_WORDS,
    STATE_WORDS,
    STEP_WORDS,
    Complaint,
    RectificationSource,
    RectificationState,
    Step,
    appeal,
    decide_appeal,
    escalation_day,
    open_complaint,
    overdue_clause,
    overdue_clocks,
    record_step,
)  # fmt: skip
from ..workdays import local_date, working_days_left
from . import audit
from .errors import WorkspaceError, forbidden
from .feedback_scope import (
    CAN_COMPLAIN,
    CAN_DECIDE_APPEAL,
    CAN_FEEDBACK,
    is_responsible,
    load_rectification,
    rectifications_visible,
)  # fmt: skip
from .paperwork import full_names
from .rectification_escalation import told_to
from .roles import Role
from .scope import require_role
from .web import bp, page, user, who

LIST_LIMIT = 300
DONE = {"opened": "已登记，责任单位须在时限内联系、核实、答复并整改。", "contact": "已记录联系申请人。",
        "verify": "已记录核实情况。", "answer": "已记录答复。", "fix": "整改已完成。",
        "appeal": "申诉已提交，等待市级督办审核。", "decision": "申诉审核意见已记录。"}  # fmt: skip
SHOWS = {"open": "办理中", "overdue": "已超期", "appealed": "申诉中", "all": "全部"}


@bp.get("/rectifications", endpoint="rectifications")
def rectifications_view():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_FEEDBACK)
    show = request.args.get("show") if request.args.get("show") in SHOWS else "open"
    now = clock.now()
    today = local_date(now)
    query = select(Rectification).where(rectifications_visible(user()))
    if show == "open":
        query = query.where(Rectification.state.in_(OPEN))
    elif show == "overdue":
        query = query.where(overdue_clause(today))
    elif show == "appealed":
        query = query.where(Rectification.state == RectificationState.appealed.value)
    query = query.options(selectinload(Rectification.escalations))
    with get_db().transaction(write=True) as session:
        rows = list(
            session.scalars(query.order_by(Rectification.fix_due, Rectification.id).limit(LIST_LIMIT + 1))
        )
        reminders = told_to(session, user().username)
        units = _unit_names(session)
        audit.record(session, who(), "rectifications", detail={"rows": len(rows), "show": show})
    more = len(rows) > LIST_LIMIT  # said on the page: the earliest-due LIST_LIMIT are shown
    items = [(r, overdue_clocks(r, today), working_days_left(r.fix_due, today)) for r in rows[:LIST_LIMIT]]
    return page("rectifications.html", items=items, show=show, shows=SHOWS, units=units,
                reminders=reminders, more=more, limit=LIST_LIMIT, **_words(),
                may_complain=Role(user().role) in CAN_COMPLAIN)  # fmt: skip


def _words() -> dict[str, object]:
    return {"state_words": STATE_WORDS, "source_words": SOURCE_WORDS, "clock_words": CLOCK_WORDS,
            "step_words": STEP_WORDS}  # fmt: skip


def _unit_names(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    names = dict(session.execute(select(Department.code, Department.name)).all())
    names.update(session.execute(select(Station.code, Station.name)).all())
    return names


@bp.get("/rectifications/<int:rect_id>", endpoint="rectification")
def rectification_view(rect_id: int):  # type: ignore[no-untyped-def]
    require_role(user(), CAN_FEEDBACK)
    today = local_date(clock.now())
    with get_db().transaction(write=True) as session:
        rect = load_rectification(session, user(), rect_id)
        events, escalations = list(rect.events), list(rect.escalations)
        names = full_names(session, {e.actor for e in events} | {n for e in escalations for n in e.notified})
        units = _unit_names(session)
        audit.record(session, who(), "rectification", submission_id=rect.submission_id,
                     receipt_no=rect.receipt_no, detail={"rectification": rect.id})  # fmt: skip
    return page("rectification.html", r=rect, events=events, escalations=escalations, names=names,
                units=units, late=overdue_clocks(rect, today), today=today,
                contact_left=working_days_left(rect.contact_due, today),
                fix_left=working_days_left(rect.fix_due, today), escalation_day=escalation_day,
                responsible=is_responsible(user(), rect), may_decide=Role(user().role) in CAN_DECIDE_APPEAL,
                steps=list(Step), done=DONE.get(request.args.get("done", "")), **_words())  # fmt: skip


def _act(rect_id: int, action: str, perform) -> Response:  # type: ignore[no-untyped-def]
    """Load in scope, act, audit, back to the page: one transaction."""
    with get_db().transaction(write=True) as session:
        rect = load_rectification(session, user(), rect_id)
        perform(session, rect)
        detail = {"rectification": rect.id, "action": action}
        audit.record(session, who(), "rectification_step", submission_id=rect.submission_id,
                     receipt_no=rect.receipt_no, detail=detail)  # fmt: skip
    return redirect(url_for("workspace.rectification", rect_id=rect_id, done=action), 303)  # type: ignore[return-value]


def _unit_only(rect: Rectification) -> None:
    if not is_responsible(user(), rect):
        raise forbidden()


@bp.post("/rectifications/<int:rect_id>/steps/<step>", endpoint="rectification_step")
def step_view(rect_id: int, step: str) -> Response:
    require_role(user(), CAN_FEEDBACK)
    if step not in {s.value for s in Step}:
        raise WorkspaceError("unknown step", "未知的整改步骤", status=404)

    def perform(session, rect) -> None:  # type: ignore[no-untyped-def]
        _unit_only(rect)
        record_step(session, rect, Step(step), request.form.get("text", ""), user().username, clock.now())

    return _act(rect_id, step, perform)


@bp.post("/rectifications/<int:rect_id>/appeal", endpoint="rectification_appeal")
def appeal_view(rect_id: int) -> Response:
    require_role(user(), CAN_FEEDBACK)

    def perform(session, rect) -> None:  # type: ignore[no-untyped-def]
        _unit_only(rect)
        appeal(session, rect, request.form.get("reason", ""), user().username, clock.now())

    return _act(rect_id, "appeal", perform)


@bp.post("/rectifications/<int:rect_id>/decision", endpoint="rectification_decision")
def decision_view(rect_id: int) -> Response:
    require_role(user(), CAN_DECIDE_APPEAL)
    verdict = request.form.get("decision")
    if verdict not in {"upheld", "rejected"}:
        raise WorkspaceError("decision must be upheld or rejected", "请选择申诉成立或不成立")

    def perform(session, rect) -> None:  # type: ignore[no-untyped-def]
        decide_appeal(session, rect, verdict == "upheld", request.form.get("opinion", ""), user().username,
                      clock.now())  # fmt: skip

    return _act(rect_id, "decision", perform)


@bp.get("/rectifications/new", endpoint="complaint_form")
def complaint_form():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_COMPLAIN)
    with get_db().transaction() as session:
        departments = session.execute(
            select(Department.code, Department.name)
            .where(Department.active.is_(True))
            .order_by(Department.code)
        ).all()
        stations = session.execute(
            select(Station.code, Station.name).where(Station.active.is_(True)).order_by(Station.code)
        ).all()
    sources = [(s.value, SOURCE_WORDS[s]) for s in RectificationSource if s is not RectificationSource.rating]
    return page("complaint.html", departments=departments, stations=stations, sources=sources)


@bp.post("/rectifications", endpoint="complaint_create")
def complaint_create() -> Response:
    require_role(user(), CAN_COMPLAIN)
    complaint = _complaint()
    with get_db().transaction(write=True) as session:
        _known_unit(session, complaint)
        rect = open_complaint(session, complaint, user().username, clock.now())
        detail = {"rectification": rect.id, "source": complaint.source.value}
        audit.record(session, who(), "complaint", submission_id=rect.submission_id,
                     receipt_no=rect.receipt_no, detail=detail)  # fmt: skip
        rect_id = rect.id
    return redirect(url_for("workspace.rectification", rect_id=rect_id, done="opened"), 303)  # type: ignore[return-value]


def _complaint() -> Complaint:
    """The complaint form, checked at the boundary (400 with a Chinese reason)."""
    form = request.form
    try:
        source = RectificationSource(form.get("source", ""))
    except ValueError:
        raise WorkspaceError("unknown source", "请选择问题来源") from None
    unit = form.get("unit", "")
    kind, _, code = unit.partition(":")
    if kind not in {"department", "station"} or not code:
        raise WorkspaceError("choose a responsible unit", "请选择一个责任单位（部门或服务站）")
    summary = form.get("summary", "").strip()
    if not summary or len(summary) > 2000:
        raise WorkspaceError("summary required, at most 2000 characters", "请填写问题描述（不超过2000字）")
    receipt = form.get("receipt_no", "").strip()
    name, phone = form.get("complainant_name", "").strip(), form.get("complainant_phone", "").strip()
    if len(name) > PERSON_NAME_LEN:
        raise WorkspaceError("complainant name too long", "反映人姓名过长")
    try:
        phone = validate_phone(phone) if phone else ""
    except ValueError:
        raise WorkspaceError("bad complainant phone", "反映人电话格式不正确") from None
    receipt_no = receipt.upper() or None
    if receipt_no and not re.fullmatch(RECEIPT_NO, receipt_no):
        raise WorkspaceError("bad receipt number", "受理编号格式不正确")
    return Complaint(
        source=source, summary=summary,
        unit_department_code=code if kind == "department" else None,
        unit_station_code=code if kind == "station" else None,
        receipt_no=receipt_no, complainant_name=name or None, complainant_phone=phone or None,
    )  # fmt: skip


def _known_unit(session, complaint: Complaint) -> None:  # type: ignore[no-untyped-def]
    found = (
        session.get(Department, complaint.unit_department_code)
        if complaint.unit_department_code
        else session.get(Station, complaint.unit_station_code)
    )
    if found is None:
        raise WorkspaceError("unknown responsible unit", "责任单位不存在")
