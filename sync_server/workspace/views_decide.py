"""The decision POSTs of the review page: parse the form, call the action, answer 303.

Each runs in one write transaction (event, SMS, audit entry commit together); queued
SMS are handed to the sender after commit.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, current_app, redirect, request, url_for

from ..blobstore import get_store
from ..db import get_db
from . import actions, audit, closing, sms
from .errors import WorkspaceError
from .roles import CAN_DECIDE, CAN_PICKUPS, Role
from .scope import load, require_role
from .views_case import Kept, case_page
from .views_verify import public_base
from .web import bp, log, user, who

MAX_UPLOAD_NAME = 200
BACK_TO_CASE = {400, 409}  # refusals about the form or the case's state, not about access
KEPT_FIELDS = ("opinion", "reason", "items_text", "kind", "tracking_no", "delivery", "delivery_reason")


def _kept(action: str) -> Kept:
    form = request.form
    fields = {name: form[name] for name in KEPT_FIELDS if name in form}
    return Kept(action=action, fields=fields, items=tuple(form.getlist("item")))


def _items() -> list[str]:
    items = request.form.getlist("item")
    items += (request.form.get("items_text") or "").splitlines()
    return [i for i in (x.strip() for x in items) if i]


def _result() -> closing.ResultInput:
    upload = request.files.get("pdf")
    data = upload.read(current_app.config["RESULT_MAX_BYTES"] + 1) if upload and upload.filename else None
    return closing.ResultInput(
        kind=request.form.get("result_kind", ""), delivery=request.form.get("delivery", ""),
        opinion=request.form.get("opinion", ""), pdf=data,
        filename=(upload.filename or "")[:MAX_UPLOAD_NAME] if upload else None,
        tracking_no=request.form.get("tracking_no"), delivery_reason=request.form.get("delivery_reason"),
        verify_base=public_base(),
    )  # fmt: skip


def _perform(name: str) -> Callable:  # type: ignore[type-arg]
    form, store = request.form, get_store()
    limit = current_app.config["RESULT_MAX_BYTES"]
    table: dict[str, Callable] = {  # type: ignore[type-arg]
        "accept": lambda s, sub, u: actions.accept(s, sub, u, form.get("opinion", "")),
        "correct": lambda s, sub, u: actions.request_correction(s, sub, u, _items()),
        "reject": lambda s, sub, u: actions.reject(s, sub, u, form.get("reason", "")),
        "special_start": lambda s, sub, u: actions.start_special(
            s, sub, u, form.get("kind", ""), form.get("reason", "")
        ),
        "special_end": lambda s, sub, u: actions.end_special(s, sub, u, form.get("reason", "")),
        "complete": lambda s, sub, u: closing.complete(s, sub, u, _result(), store, limit),
        "deliver": lambda s, sub, u: closing.deliver(s, sub, u, form.get("id_check", "")),
        "archive": lambda s, sub, u: closing.archive(s, sub, u, store),
    }
    return table[name]


ACTIONS = "accept, correct, reject, special_start, special_end, complete, deliver, archive"


@bp.post(f"/submissions/<int:submission_id>/<any({ACTIONS}):action>", endpoint="decide")
def decide(submission_id: int, action: str) -> Response:
    if action == "deliver" and Role(user().role) is Role.station_staff:
        require_role(user(), CAN_PICKUPS)
    else:
        require_role(user(), CAN_DECIDE)
    perform = _perform(action)
    db = get_db()
    try:
        with db.transaction(write=True) as session:
            sub = load(session, user(), submission_id, full=True)
            event = perform(session, sub, user())
            audit.record(session, who(), "decision", submission_id=sub.id, receipt_no=sub.receipt_no,
                         detail={"action": action, "state": event.state})  # fmt: skip
    except WorkspaceError as error:
        if error.status not in BACK_TO_CASE or Role(user().role) is Role.station_staff:
            raise
        # a form staff can fix (empty notice, missing reason, state moved on): back to the
        # case with the reason and everything they typed, not to a dead-end error page
        log.info("workspace refused %s: %s", error.status, error.message)
        return case_page(submission_id, error=error.message_zh, kept=_kept(action), status=error.status)
    sms.dispatch(db, sms.load_sender(current_app.config["SMS_SENDER"]))
    if Role(user().role) is Role.station_staff:
        return redirect(url_for("workspace.pickups", done=action), 303)
    return redirect(url_for("workspace.review", submission_id=submission_id, done=action), 303)
