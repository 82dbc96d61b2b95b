"""意见建议 in the workspace (standard 5.5): staff leave feedback on a matter or guide and
read the answers to their own; the city administrator reads all and answers, optionally
linking the catalog draft that makes the change. Leaving and answering are audited."""

from __future__ import annotations

from flask import redirect, request, url_for

from .. import catalog_versions as versions
from .. import feedback
from ..db import get_db
from . import audit
from .errors import WorkspaceError
from .roles import Role
from .scope import require_role
from .web import bp, page, user, who

CAN_LEAVE = {Role.station_staff, Role.reviewer, Role.department_head}
CAN_ANSWER = {Role.city_admin}
SOURCE = {Role.station_staff: feedback.STATION, Role.reviewer: feedback.DEPARTMENT,
          Role.department_head: feedback.DEPARTMENT}  # fmt: skip


@bp.get("/feedback", endpoint="feedback")
def feedback_view():  # type: ignore[no-untyped-def]
    me = user()
    require_role(me, CAN_LEAVE | CAN_ANSWER)
    admin = me.role in CAN_ANSWER
    with get_db().transaction() as session:
        items = feedback.listing(session, author=None if admin else me.username)
        drafts = versions.drafts(session) if admin else []
        matters = versions.release_catalog(
            versions.get_release(session, versions.current_version(session))
        ).matters
    return page("feedback.html", items=items, drafts=drafts, admin=admin, can_leave=me.role in CAN_LEAVE,
                matters=[(m.code, m.name) for m in matters])  # fmt: skip


@bp.post("/feedback", endpoint="feedback_leave")
def leave():  # type: ignore[no-untyped-def]
    me = user()
    require_role(me, CAN_LEAVE)
    form = request.form
    with get_db().transaction(write=True) as session:
        item = feedback.leave(
            session,
            matter_code=(form.get("matter_code") or "")[:50],
            about=form.get("about") or "",
            text=form.get("text") or "",
            source=SOURCE[Role(me.role)],
            author=me.username,
            station_code=me.station_code,
        )
        audit.record(session, who(), "feedback_leave", detail={"feedback": item.feedback_no})
    return redirect(url_for("workspace.feedback"), 303)


@bp.post("/feedback/<int:feedback_id>/answer", endpoint="feedback_answer")
def answer(feedback_id: int):  # type: ignore[no-untyped-def]
    require_role(user(), CAN_ANSWER)
    raw = (request.form.get("draft_id") or "").strip()
    if raw and not raw.isdigit():
        raise WorkspaceError("draft_id must be a number", "草稿编号应为数字")
    with get_db().transaction(write=True) as session:
        item = feedback.answer(session, feedback_id, request.form.get("answer"), user().username,
                               int(raw) if raw else None)  # fmt: skip
        audit.record(
            session, who(), "feedback_answer", detail={"feedback": item.feedback_no, "draft": item.draft_id}
        )
    return redirect(url_for("workspace.feedback"), 303)
