"""``/verify/<code>``: the public check of a printed result (no login, Chinese, phone-sized).

Answers: the result's facts (200, or 200 with a loud warning when the stored document no
longer hashes to what was issued); "校验码有误" for a code whose check character fails
(404: arithmetic, says nothing about existence); one identical 404 for every unknown or
malformed code; 429 with a Chinese message past the per-client budget. ``.json`` or
``Accept: application/json`` gives machines the same answers as JSON. Every lookup is
audited with its outcome only (no address, no name, no code).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from ..blobstore import get_store
from ..db import get_db
from ..ratelimit import RateLimiter
from . import audit
from .headers import secure
from .verification import Verified, lookup
from .verify_code import Parsed, display, parse

log = logging.getLogger("tongban.workspace.verify")
bp = Blueprint("verify", __name__, url_prefix="/verify")
PUBLIC = audit.Who(None, "public", "public", None, None)
CSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
MESSAGES = {
    "unknown": (
        "not_found",
        "未找到该核验码对应的办理结果。请核对打印件上的核验码；如仍无法核验，请咨询出具部门。",
    ),
    "typo": ("check_failed", "校验码有误：核验码中有输错的字符，请逐位核对后重新输入。"),
    "limited": ("rate_limited", "查询过于频繁，请稍后再试。"),
}


def public_base() -> str:
    """Where the printed QR points: VERIFY_BASE_URL, else this server's own address."""
    return (current_app.config.get("VERIFY_BASE_URL") or request.url_root).rstrip("/")


def verify_url(code: str) -> str:
    return f"{public_base()}/verify/{display(code)}"


def _wants_json(code: str) -> bool:
    if code.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _answer(as_json: bool, status: int, found: Verified | None = None, outcome: str = "") -> Response:
    if as_json:
        body: dict[str, Any] = found.to_json() if found else {
            "error": MESSAGES[outcome][0], "message_zh": MESSAGES[outcome][1]
        }  # fmt: skip
        response = jsonify(body)
    else:
        html = render_template("verify/result.html" if found else "verify/refused.html",
                               found=found, message=MESSAGES.get(outcome, ("", ""))[1])  # fmt: skip
        response = Response(html, mimetype="text/html")
    response.status_code = status
    return response


def _find(verdict: Parsed, code: str) -> tuple[str, Verified | None]:
    """Look the code up and audit the outcome in one transaction."""
    with get_db().transaction(write=True) as session:
        hit = lookup(session, get_store(), code) if verdict is Parsed.ok else None
        found, submission_id = hit if hit else (None, None)
        outcome = verdict.value if verdict is Parsed.typo else "unknown"
        if found is not None:
            outcome = "genuine" if found.genuine else "tampered"
        audit.record(
            session, PUBLIC, "verify_lookup", submission_id=submission_id, detail={"outcome": outcome}
        )
    log.info("verification lookup: %s", outcome)
    return outcome, found


@bp.get("", endpoint="form")
def form() -> Response:
    typed = request.args.get("code", "")
    if typed:
        return redirect(url_for("verify.check", code=typed[:60]), 303)  # type: ignore[return-value]
    return Response(render_template("verify/form.html"), mimetype="text/html")


@bp.get("/<path:code>", endpoint="check")
def check(code: str) -> Response:
    as_json = _wants_json(code)
    limiter: RateLimiter = current_app.extensions["verify_limiter"]
    if not limiter.allow(get_db(), request.remote_addr or "-"):
        log.info("verification lookup: rate_limited")
        response = _answer(as_json, 429, outcome="limited")
        response.headers["Retry-After"] = str(limiter.retry_after())
        return response
    outcome, found = _find(*parse(code.removesuffix(".json")))
    if found is None:
        return _answer(as_json, 404, outcome=outcome)
    return _answer(as_json, 200, found)


@bp.after_request
def _headers(response: Response) -> Response:
    secure(response, CSP)
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Vary"] = "Accept"
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("VERIFY_RATE_PER_MINUTE", 20)
    app.config.setdefault("VERIFY_BASE_URL", None)  # e.g. "https://tongban.example.gov.cn"
    app.extensions["verify_limiter"] = RateLimiter("verify", int(app.config["VERIFY_RATE_PER_MINUTE"]))
    app.register_blueprint(bp)
