"""The online blueprint's plumbing: who is signed in, CSRF on every POST, headers, errors.

Every request looks up the resident session from its cookie (expired ones are deleted).
Every POST (and PUT) needs a CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``): the
session's once signed in, before that the sign-in cookie's (double submit). Errors are a
Chinese page, or JSON for clients that ask for JSON (the upload script).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request

from ..db import get_db
from ..errors import ApiError
from ..workspace.errors import WorkspaceError
from ..workspace.headers import secure
from ..workspace.web import check_csrf
from . import bp
from . import sessions as resident_sessions

log = logging.getLogger("tongban.online")
COOKIE = "tongban_online"
SIGN_IN_COOKIE = "tongban_online_signin"
PATH = "/online"
SIGN_IN_ENDPOINTS = {"online.sign_in_post", "online.verify_post"}
CSP = (
    "default-src 'none'; img-src 'self' blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@bp.before_request
def _load_session() -> None:
    g.online_phone = None
    g.online_session = None
    row = None
    token = request.cookies.get(COOKIE)
    if token:
        db = get_db()
        with db.transaction() as session:
            row = resident_sessions.find(session, token)
            verdict = resident_sessions.assess(row, resident_sessions.POLICY) if row else None
        if row is not None and verdict != "ok":
            with db.transaction(write=True) as session:
                if verdict == "expired":
                    resident_sessions.drop(session, row.id)
                else:
                    resident_sessions.touch(session, row.id)
        if row is not None and verdict != "expired":
            g.online_session, g.online_phone = row, row.phone
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if request.endpoint in SIGN_IN_ENDPOINTS:
            check_csrf(request.cookies.get(SIGN_IN_COOKIE))
        elif g.online_session is not None:
            check_csrf(g.online_session.csrf_token)
        # else: the view's phone_required answers 401 (sign-out without a session is a no-op)


def client_address() -> str:
    return (request.remote_addr or "-")[:64]


def set_cookie(response: Response, name: str, value: str, same_site: str = "Lax") -> None:
    response.set_cookie(
        name, value, httponly=True, samesite=same_site, path=PATH,
        secure=bool(current_app.config["ONLINE_COOKIE_SECURE"]),
    )  # fmt: skip


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.is_json or best == "application/json"


def _error(error: WorkspaceError) -> Any:
    log.info("online refused %s: %s", error.status, error.message)
    if wants_json():
        return jsonify(error=error.message, message=error.message_zh), error.status
    return render_template("online/error.html", message=error.message_zh, status=error.status), error.status


def _api_error(error: ApiError) -> Any:
    return _error(WorkspaceError(error.message, error.message_zh, status=error.status))


@bp.after_request
def _headers(response: Response) -> Response:
    return secure(response, CSP)


def _context() -> dict[str, Any]:
    row = g.get("online_session")
    return {
        "signed_in_phone": g.get("online_phone"),
        "csrf_token": row.csrf_token if row else "",
        "has_endpoint": lambda name: name in current_app.view_functions,  # part A and B pages link each other
    }


bp.register_error_handler(WorkspaceError, _error)
bp.register_error_handler(ApiError, _api_error)
bp.context_processor(_context)


def init_app(app: Flask) -> None:
    app.config.setdefault("ONLINE_COOKIE_SECURE", False)  # set true behind HTTPS
    from . import (
        follow,  # noqa: F401  (part B: the follow pages)
        follow_correct,  # noqa: F401  (part B: 补正 uploads to the same case)
        views_apply,  # noqa: F401
        views_sign_in,  # noqa: F401
        views_uploads,  # noqa: F401
    )
    from .uploads import DEFAULTS

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)

    app.register_blueprint(bp)
