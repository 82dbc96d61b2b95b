"""The office pages: triage queue, pickups at a station, the ledger and the audit log."""

from __future__ import annotations

from flask import Response, redirect, request, url_for
from sqlalchemy import select

from shared_schema import SubmissionState

from ..db import get_db, utcnow
from ..models import Department, Matter, Station, Submission
from . import audit, inbox, ledger, triage
from .roles import CAN_AUDIT, CAN_LEDGER, CAN_PICKUPS, CAN_TRIAGE, Role
from .scope import require_role, scoped
from .views_inbox import parse_day
from .web import bp, page, user, who

LEDGER_PAGE = 100
LEDGER_MAX_PAGE = 200


@bp.get("/triage", endpoint="triage")
def triage_view():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_TRIAGE)
    today = inbox.today_in_china(utcnow())
    with get_db().transaction(write=True) as session:
        items = triage.queue(session, today)
        departments = triage.all_departments(session)
        audit.record(session, who(), "inbox", detail={"rows": len(items), "queue": "triage"})
    return page("triage.html", items=items, departments=departments, done=request.args.get("done"))


@bp.post("/triage/<int:submission_id>", endpoint="reassign")
def reassign_view(submission_id: int) -> Response:
    require_role(user(), CAN_TRIAGE)
    with get_db().transaction(write=True) as session:
        sub = triage.reassign_from_triage(
            session, user(), submission_id, request.form.get("department", ""), request.form.get("reason", "")
        )
        audit.record(session, who(), "triage", submission_id=sub.id, receipt_no=sub.receipt_no,
                     detail={"department": sub.department_code})  # fmt: skip
    return redirect(url_for("workspace.triage", done="1"), 303)


@bp.get("/pickups", endpoint="pickups")
def pickups():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_PICKUPS)
    today = inbox.today_in_china(utcnow())
    query = inbox.select_rows(Submission.state == SubmissionState.completed.value)
    with get_db().transaction(write=True) as session:
        rows = session.execute(scoped(query, user()).order_by(Submission.completed_at).limit(500)).all()
        items = [inbox.to_row(row, today) for row in rows]
        station = session.get(Station, user().station_code)
        audit.record(session, who(), "pickups", detail={"rows": len(items)})
    return page("pickups.html", items=items, station=station, done=request.args.get("done"))


def _ledger_filter() -> ledger.LedgerFilter:
    args = request.args
    states = {s.value for s in SubmissionState}
    return ledger.LedgerFilter(
        department_code=(args.get("department") or None) if Role(user().role) is not Role.reviewer else None,
        matter_code=args.get("matter") or None,
        state=args.get("state") if args.get("state") in states else None,
        day_from=parse_day(args.get("from")),
        day_to=parse_day(args.get("to")),
    )


@bp.get("/ledger", endpoint="ledger")
def ledger_view():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_LEDGER)
    f = _ledger_filter()
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), LEDGER_MAX_PAGE)
    with get_db().transaction(write=True) as session:
        entries = ledger.entries(session, user(), f, LEDGER_PAGE + 1, (number - 1) * LEDGER_PAGE)
        matters = session.execute(select(Matter.code, Matter.name).order_by(Matter.code)).all()
        departments = session.execute(
            select(Department.code, Department.name).order_by(Department.code)
        ).all()
        audit.record(
            session, who(), "ledger", detail={"rows": min(len(entries), LEDGER_PAGE), "page": number}
        )
    args = {k: v for k, v in request.args.items() if k != "page"}
    rows = [ledger.cells(e) for e in entries[:LEDGER_PAGE]]
    return page("ledger.html", rows=rows, headers=ledger.headers(),
                f=f, matters=matters, departments=departments, args=args, number=number,
                has_next=len(entries) > LEDGER_PAGE and number < LEDGER_MAX_PAGE,
                states=list(SubmissionState)[3:])  # fmt: skip


@bp.get("/ledger.<any(csv, xlsx):kind>", endpoint="ledger_export")
def ledger_export(kind: str) -> Response:
    require_role(user(), CAN_LEDGER)
    f = _ledger_filter()
    with get_db().transaction(write=True) as session:
        entries = list(ledger.iter_pages(session, user(), f))
        audit.record(session, who(), "ledger_export", detail={"rows": len(entries), "format": kind})
    if kind == "csv":
        response = Response(ledger.to_csv(entries), mimetype="text/csv; charset=utf-8")
    else:
        response = Response(
            ledger.to_xlsx(entries),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response.headers["Content-Disposition"] = f'attachment; filename="ledger.{kind}"'
    return response


@bp.get("/audit", endpoint="audit_log")
def audit_log():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_AUDIT)
    args = request.args
    f = audit.AuditFilter(
        username=args.get("user") or None, action=args.get("action") or None,
        receipt_no=args.get("receipt") or None, day_from=parse_day(args.get("from")),
        day_to=parse_day(args.get("to")),
    )  # fmt: skip
    before = args.get("before", type=int)
    with get_db().transaction(write=True) as session:
        rows = audit.entries(session, f, before, 101)
        users = audit.usernames(session)
        audit.record(session, who(), "audit", detail={"rows": min(len(rows), 100)})
    more = rows[99].id if len(rows) > 100 else None
    query = {k: v for k, v in args.items() if k != "before"}
    return page(
        "audit.html", rows=rows[:100], users=users, f=f, labels=audit.ACTION_LABELS, more=more, args=query
    )
