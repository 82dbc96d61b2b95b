"""``GET /api/v1/results/<result_id>``: a kiosk fetches an electronic result to print.

Same authentication and answer signature as the rest of the kiosk API (docs/sync-protocol.md);
a kiosk gets a result only for cases collected at, or sent for pickup to, its own station.
"""

from __future__ import annotations

from flask import Blueprint, Response, g

from shared_schema.protocol import API_PREFIX

from ..blobstore import get_store
from ..db import get_db
from ..kiosk_auth import authenticate_request, sign_answer
from .results import result_for_kiosk

bp = Blueprint("kiosk_results", __name__, url_prefix=f"{API_PREFIX}/results")
bp.before_request(authenticate_request)
bp.after_request(sign_answer)


@bp.get("/<result_id>", endpoint="result")
def result(result_id: str) -> Response:
    with get_db().transaction() as session:
        found = result_for_kiosk(session, get_store(), result_id, g.kiosk.station_code)
    response = Response(found.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{found.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
