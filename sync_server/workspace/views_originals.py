"""``POST /workspace/submissions/<id>/originals/<code>``: confirm a mailed original arrived."""

from __future__ import annotations

from flask import Response, redirect, request, url_for

from ..db import get_db
from . import audit, originals
from .roles import CAN_DECIDE
from .scope import load, require_role
from .web import bp, user, who


@bp.post("/submissions/<int:submission_id>/originals/<code>", endpoint="original_arrived")
def original_arrived(submission_id: int, code: str) -> Response:
    require_role(user(), CAN_DECIDE)
    with get_db().transaction(write=True) as session:
        sub = load(session, user(), submission_id, full=True)
        row = originals.confirm(session, sub, user(), code[:60], request.form.get("arrived_on", ""))
        detail = {"material": row.material_code, "arrived_on": row.arrived_on.isoformat()}
        audit.record(session, who(), "original_arrived", submission_id=sub.id, receipt_no=sub.receipt_no,
                     detail=detail)  # fmt: skip
    back = url_for("workspace.review", submission_id=submission_id, done="original")
    return redirect(back, 303)  # type: ignore[return-value]
