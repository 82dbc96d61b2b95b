"""Results for kiosks to print, with the same authentication and answer signature as the
rest of the kiosk API (docs/sync-protocol.md):

- ``GET /api/v1/results/<result_id>``: a result announced in the kiosk's status feed, for
  cases collected at, or sent for pickup to, the kiosk's own station;
- ``POST /api/v1/results/electronic``: an electronic result printed at *any* kiosk once
  the resident gives the receipt number and their ID number (:mod:`.result_lookup`).

Both answer the PDF itself, its SHA-256 in ``X-Tongban-Result-Sha256`` so the kiosk can
check what it stores.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, current_app, g, request
from flask.sansio.blueprints import BlueprintSetupState

from shared_schema.api import ElectronicResultRequest
from shared_schema.protocol import API_PREFIX, RESULT_SHA256_HEADER

from ..api.body import parse_body
from ..blobstore import get_store
from ..db import get_db
from ..kiosk_auth import authenticate_request, sign_answer
from ..ratelimit import RateLimiter
from . import audit
from .result_lookup import LIMITED_ZH, find_electronic_result, refused
from .results import result_for_kiosk

bp = Blueprint("kiosk_results", __name__, url_prefix=f"{API_PREFIX}/results")
bp.before_request(authenticate_request)
bp.after_request(sign_answer)

LIMITER = "result_lookup_limiter"


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.config.setdefault("RESULT_LOOKUP_PER_MINUTE", 10)
    state.app.extensions[LIMITER] = RateLimiter(
        "result_lookup", int(state.app.config["RESULT_LOOKUP_PER_MINUTE"])
    )


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers[RESULT_SHA256_HEADER] = hashlib.sha256(data).hexdigest()
    return response


@bp.get("/<result_id>", endpoint="result")
def result(result_id: str) -> Response:
    with get_db().transaction() as session:
        found = result_for_kiosk(session, get_store(), result_id, g.kiosk.station_code)
    return _pdf(found.data, found.filename)


@bp.post("/electronic", endpoint="electronic")
def electronic() -> Response:
    ask = parse_body(ElectronicResultRequest, "electronic result request")
    limiter: RateLimiter = current_app.extensions[LIMITER]
    if not limiter.allow(get_db(), g.kiosk.kiosk_id):  # a malformed body (422) spends no budget
        raise limiter.refused("rate_limited", "result lookups", LIMITED_ZH)
    kiosk = f"kiosk:{g.kiosk.kiosk_id}"
    who = audit.Who(None, kiosk, "kiosk", request.remote_addr, request.user_agent.string)
    with get_db().transaction(write=True) as session:
        found = find_electronic_result(session, get_store(), ask, who)
    if found is None:
        raise refused()
    return _pdf(found.data, f"result-{found.receipt_no}.pdf")
