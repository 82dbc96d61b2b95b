"""Login, logout and the landing page of each role."""

from __future__ import annotations

from flask import Response, current_app, g, make_response, redirect, request, url_for

from ..db import get_db
from . import audit
from .accounts import LoginPolicy, authenticate
from .errors import WorkspaceError
from .roles import Role
from .sessions import end_session, start_session
from .web import COOKIE, LOGIN_COOKIE, bp, check_csrf, new_login_token, page, set_cookie, who

LANDING = {
    Role.city_admin: "workspace.inbox",
    Role.reviewer: "workspace.inbox",
    Role.station_staff: "workspace.pickups",
    Role.auditor: "workspace.audit_log",
    Role.department_head: "workspace.dashboard",
    Role.city_supervisor: "workspace.dashboard",
}


def _login_form(error: str | None = None, status: int = 200) -> Response:
    token = new_login_token()
    response = make_response(page("login.html", status, login_token=token, error=error))
    set_cookie(response, LOGIN_COOKIE, token, same_site="Strict")
    return response


@bp.get("/login", endpoint="login")
def login() -> Response:
    if g.ws_user is not None:
        return redirect(url_for("workspace.home"))
    return _login_form()


@bp.post("/login", endpoint="login_post")
def login_post() -> Response:
    check_csrf(request.cookies.get(LOGIN_COOKIE))
    username = (request.form.get("username") or "").strip().lower()[:40]
    password = request.form.get("password") or ""
    cfg = current_app.config
    rules = LoginPolicy(cfg["WORKSPACE_LOGIN_MAX_FAILURES"], cfg["WORKSPACE_LOCK_MINUTES"])
    with get_db().transaction(write=True) as session:
        try:
            user = authenticate(session, username, password, rules)
        except WorkspaceError as exc:
            audit.record(session, audit.Who(None, username or "-", "-", request.remote_addr,
                                            request.headers.get("User-Agent")), "login_failed")  # fmt: skip
            failure = exc
        else:
            failure = None
            token, row = start_session(session, user, request.remote_addr, request.cookies.get(COOKIE))
            g.ws_user, g.ws_session = user, row
            audit.record(session, who(), "login")
    if failure is not None:
        return _login_form(failure.message_zh, failure.status)
    response = redirect(url_for("workspace.home"), 303)
    set_cookie(response, COOKIE, token)
    response.delete_cookie(LOGIN_COOKIE, path="/workspace")
    return response


@bp.post("/logout", endpoint="logout")
def logout() -> Response:
    with get_db().transaction(write=True) as session:
        end_session(session, request.cookies.get(COOKIE, ""))
        audit.record(session, who(), "logout")
    response = redirect(url_for("workspace.login"), 303)
    response.delete_cookie(COOKIE, path="/workspace")
    return response


@bp.get("/", endpoint="home")
def home() -> Response:
    return redirect(url_for(LANDING[Role(g.ws_user.role)]))
