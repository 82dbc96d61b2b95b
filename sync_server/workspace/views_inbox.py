"""The inbox (filters in the query string: no personal data) and search (POST only)."""

from __future__ import annotations

from datetime import date

from flask import current_app, request
from sqlalchemy import select

from shared_schema import SubmissionState

from ..db import get_db, utcnow
from ..models import Department
from . import audit, inbox
from .errors import WorkspaceError
from .roles import CAN_INBOX, OPEN_STATES, Role
from .scope import require_role
from .web import bp, page, user, who


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _choice(value: str | None, allowed: set[str]) -> str | None:
    return value if value in allowed else None


def _channel(value: str | None) -> str | None:
    """The channel filter: empty for both, else a key of :data:`inbox.CHANNELS` (a link
    with any other value is refused, not quietly shown unfiltered)."""
    if not value:
        return None
    if value not in inbox.CHANNELS:
        raise WorkspaceError(f"unknown channel {value[:20]!r}", "渠道只能选“网上”或“终端”", status=400)
    return value


def inbox_filter() -> inbox.InboxFilter:
    args = request.args
    states = {"open", "all", *(s.value for s in SubmissionState)}
    dept = args.get("department") if Role(user().role) is Role.city_admin else None
    return inbox.InboxFilter(
        department_code=dept or None,
        state=_choice(args.get("state"), states) or "open",
        matter_code=args.get("matter") or None,
        station_code=args.get("station") or None,
        day_from=parse_day(args.get("from")),
        day_to=parse_day(args.get("to")),
        due=_choice(args.get("due"), {"overdue", "due_soon"}),
        incomplete=args.get("incomplete") == "1",
        originals_pending=args.get("originals") == "1",
        channel=_channel(args.get("channel")),
    )


def _departments(session) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    if Role(user().role) is not Role.city_admin:
        return []
    return [
        tuple(r) for r in session.execute(select(Department.code, Department.name).order_by(Department.code))
    ]


@bp.get("/inbox", endpoint="inbox")
def inbox_view():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_INBOX)
    f = inbox_filter()
    today = inbox.today_in_china(utcnow())
    with get_db().transaction(write=True) as session:
        result = inbox.inbox(
            session, user(), f, request.args.get("after"), current_app.config["WORKSPACE_PAGE_SIZE"], today
        )
        choices = inbox.filter_choices(session, user())
        departments = _departments(session)
        audit.record(session, who(), "inbox", detail={"rows": len(result.rows)})
    args = {k: v for k, v in request.args.items() if k != "after"}
    return page("inbox.html", result=result, f=f, choices=choices, departments=departments, args=args,
                open_states=OPEN_STATES, states=list(SubmissionState)[3:], channels=inbox.CHANNELS,
                search=None)  # fmt: skip


@bp.post("/search", endpoint="search")
def search_view():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_INBOX)
    today = inbox.today_in_china(utcnow())
    with get_db().transaction(write=True) as session:
        kind, rows = inbox.search(session, user(), request.form.get("q", ""), today)
        action = "search_id" if kind == "identity" else "search_receipt"
        audit.record(session, who(), action, detail={"hits": len(rows), "valid": kind != "invalid"})
        choices = inbox.filter_choices(session, user())
        departments = _departments(session)
    result = inbox.InboxPage(rows=rows, total=len(rows))
    return page("inbox.html", result=result, f=inbox.InboxFilter(), choices=choices, departments=departments,
                args={}, open_states=OPEN_STATES, states=list(SubmissionState)[3:], channels=inbox.CHANNELS,
                search={"kind": kind, "hits": len(rows)})  # fmt: skip
