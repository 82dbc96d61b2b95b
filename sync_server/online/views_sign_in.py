"""The landing page, sign-in (phone → SMS code → session) and sign-out."""

from __future__ import annotations

from flask import Response, current_app, g, make_response, redirect, render_template, request, url_for

from ..db import get_db
from ..workspace import sms
from ..workspace.errors import WorkspaceError
from . import auth, bp
from . import sessions as resident_sessions
from .web import COOKIE, PATH, SIGN_IN_COOKIE, client_address, new_form_token, set_cookie


def _safe_next(raw: str | None) -> str:
    """Only a path of this site's online pages: never an open redirect."""
    target = (raw or "")[:500]
    ok = target.startswith(PATH + "/") and not target.startswith("//") and "\\" not in target
    return target if ok else url_for("online.home")


def _form(template: str, status: int = 200, **context: object) -> Response:
    token = request.cookies.get(SIGN_IN_COOKIE) or new_form_token()
    response = make_response(render_template(f"online/{template}", form_token=token, **context), status)
    set_cookie(response, SIGN_IN_COOKIE, token, same_site="Strict")
    return response


@bp.get("/", endpoint="home")
def home() -> str:
    return render_template("online/home.html")


@bp.get("/sign-in", endpoint="sign_in")
def sign_in() -> Response:
    return _form("sign_in.html", next=_safe_next(request.args.get("next")))


@bp.post("/sign-in", endpoint="sign_in_post")
def sign_in_post() -> Response:
    target = _safe_next(request.form.get("next"))
    try:
        phone = auth.parse_phone(request.form.get("phone"))
        with get_db().transaction(write=True) as session:
            message_id = auth.send_code(session, phone, client_address())
    except WorkspaceError as error:
        return _form("sign_in.html", error.status, next=target, error=error.message_zh,
                     phone=(request.form.get("phone") or "")[:20])  # fmt: skip
    sms.dispatch(get_db(), sms.load_sender(current_app.config.get("SMS_SENDER")))
    with get_db().transaction(write=True) as session:
        auth.forget_sent_code(session, message_id)
    return _form("verify.html", next=target, phone=phone)


@bp.post("/verify", endpoint="verify_post")
def verify_post() -> Response:
    target = _safe_next(request.form.get("next"))
    raw_phone = (request.form.get("phone") or "")[:20]
    try:
        phone = auth.parse_phone(raw_phone)
        with get_db().transaction(write=True) as session:
            ok = auth.check_code(session, phone, request.form.get("code") or "", client_address())
            token = (
                resident_sessions.start(session, phone, request.remote_addr, request.cookies.get(COOKIE))
                if ok
                else None
            )
        if token is None:
            raise auth.WRONG_CODE
    except WorkspaceError as error:
        return _form("verify.html", error.status, next=target, phone=raw_phone, error=error.message_zh)
    response = redirect(target, 303)
    set_cookie(response, COOKIE, token)
    response.delete_cookie(SIGN_IN_COOKIE, path=PATH)
    return response


@bp.post("/sign-out", endpoint="sign_out")
def sign_out() -> Response:
    if g.online_session is not None:
        with get_db().transaction(write=True) as session:
            resident_sessions.drop(session, g.online_session.id)
    response = redirect(url_for("online.home"), 303)
    response.delete_cookie(COOKIE, path=PATH)
    return response
