"""The workspace blueprint: settings, login check, CSRF, security headers, HTML errors.

Every request under ``/workspace`` (except the login form and its POST) needs a live
session; every POST needs the session's CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``) and, when the browser sends one, an Origin of this host. Answers are
never cached and may not be framed or run inline script (CSP), so a document that smuggles
HTML into its OCR text shows as text and cannot act even if escaping were forgotten.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, g, redirect, render_template, request, url_for

from ..db import get_db
from ..errors import ApiError
from .audit import Who
from .errors import WorkspaceError
from .headers import secure
from .models import StaffUser
from .places import Place, place_of
from .roles import ROLE_LABELS, Role, state_label
from .sessions import SessionPolicy, assess, csrf_matches, drop, find_session, touch

log = logging.getLogger("tongban.workspace")
bp = Blueprint("workspace", __name__, url_prefix="/workspace")
COOKIE = "tongban_ws"
LOGIN_COOKIE = "tongban_ws_login"
PUBLIC = {"workspace.login", "workspace.login_post"}

DEFAULTS: dict[str, Any] = {
    "WORKSPACE_COOKIE_SECURE": False,  # set true behind HTTPS
    "WORKSPACE_IDLE_MINUTES": 30,
    "WORKSPACE_SESSION_HOURS": 12,
    "WORKSPACE_PAGE_SIZE": 50,
    "WORKSPACE_LOGIN_MAX_FAILURES": 5,
    "WORKSPACE_LOCK_MINUTES": 15,
    "RESULT_MAX_BYTES": 10_000_000,
    "SMS_SENDER": None,  # "package.module:Class"; default writes to the sms_log table
}
CSP = (
    "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def policy() -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(minutes=current_app.config["WORKSPACE_IDLE_MINUTES"]),
        absolute=timedelta(hours=current_app.config["WORKSPACE_SESSION_HOURS"]),
    )


def user() -> StaffUser:
    return g.ws_user


def who() -> Who:
    u = g.get("ws_user")
    return Who(
        u.id if u else None, u.username if u else "-", u.role if u else "-",
        request.remote_addr, request.headers.get("User-Agent"),
    )  # fmt: skip


@bp.before_request
def _require_login() -> Response | None:
    g.ws_user = None
    g.ws_session = None
    token = request.cookies.get(COOKIE)
    db = get_db()
    if token:
        with db.transaction() as session:
            row = find_session(session, token)
            verdict = assess(row, policy()) if row else None
        if row is not None and verdict != "ok":
            with db.transaction(write=True) as session:
                (drop if verdict == "expired" else touch)(session, row.id)
        if row is not None and verdict != "expired":
            g.ws_session, g.ws_user = row, row.user
    if request.endpoint in PUBLIC:
        return None
    if g.ws_user is None:
        if request.method == "GET":
            return redirect(url_for("workspace.login"))
        raise WorkspaceError("login required", "请先登录", status=401)
    if request.method == "POST":
        check_csrf(g.ws_session.csrf_token)
    return None


def check_csrf(expected: str | None) -> None:
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        raise WorkspaceError("cross-origin POST refused", "请求来源无效，请刷新页面后重试", status=403)
    given = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
    if not csrf_matches(expected, given):
        raise WorkspaceError("CSRF token missing or invalid", "表单已失效，请刷新页面后重试", status=400)


@bp.after_request
def _headers(response: Response) -> Response:
    return secure(response, g.get("ws_csp") or CSP)  # a page may widen it (dashboard: inline SVG styles)


def set_cookie(response: Response, name: str, value: str, same_site: str = "Lax") -> None:
    response.set_cookie(
        name, value, httponly=True, samesite=same_site, path="/workspace",
        secure=bool(current_app.config["WORKSPACE_COOKIE_SECURE"]),
    )  # fmt: skip


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(f"workspace/{template}", **context), status


def _error_page(error: WorkspaceError) -> tuple[str, int]:
    log.info("workspace refused %s: %s", error.status, error.message)
    back = (
        request.referrer if request.referrer and urlsplit(request.referrer).netloc == request.host else None
    )
    return page("error.html", error.status, message=error.message_zh, back=back)


def _api_error_page(error: ApiError) -> tuple[str, int]:
    return _error_page(WorkspaceError(error.message, error.message_zh, status=error.status))


def _place() -> Place:
    """The signed-in user's department and station names, looked up once per request."""
    if "ws_place" not in g:
        staff = g.get("ws_user")
        if staff is None:
            g.ws_place = Place()
        else:
            with get_db().transaction() as session:
                g.ws_place = place_of(session, staff)
    return g.ws_place


def _context() -> dict[str, Any]:
    session = g.get("ws_session")
    return {
        "current_user": g.get("ws_user"),
        "place": _place(),
        "csrf_token": session.csrf_token if session else "",
        "role_labels": ROLE_LABELS,
        "Role": Role,
        "state_label": state_label,
    }


bp.register_error_handler(WorkspaceError, _error_page)
bp.register_error_handler(ApiError, _api_error_page)
bp.context_processor(_context)


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    from . import (  # noqa: F401
        kiosk_results,
        views_alerts,
        views_auth,
        views_case,
        views_catalog,
        views_dashboard,
        views_decide,
        views_feedback,
        views_holidays,
        views_inbox,
        views_kiosks,
        views_office,
        views_originals,
        views_ratings,
        views_rectification,
        views_tiers,
    )

    app.register_blueprint(bp)
    app.register_blueprint(kiosk_results.bp)
    from .filters import register_filters

    register_filters(app)
