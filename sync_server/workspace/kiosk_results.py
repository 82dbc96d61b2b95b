"""``GET /api/v1/results/<result_id>``: a kiosk fetches an electronic result to print.

Same authentication and answer signature as the rest of the kiosk API (docs/sync-protocol.md);
a kiosk gets a result only for cases collected at, or sent for pickup to, its own station.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, request

from shared_schema.protocol import API_PREFIX, SIGNATURE_HEADER, parse_auth_header, sign

from ..blobstore import get_store
from ..db import get_db
from ..enrollment import authenticate
from ..errors import ApiError
from .results import result_for_kiosk

bp = Blueprint("kiosk_results", __name__, url_prefix=f"{API_PREFIX}/results")


@bp.before_request
def _authenticate() -> None:
    credentials = parse_auth_header(request.headers.get("Authorization"))
    if credentials is None:
        raise ApiError(
            401, "auth_required", "missing or malformed Authorization header", "请求未携带终端凭据"
        )
    with get_db().transaction() as session:
        g.kiosk = authenticate(session, *credentials)


@bp.get("/<result_id>", endpoint="result")
def result(result_id: str) -> Response:
    with get_db().transaction() as session:
        found = result_for_kiosk(session, get_store(), result_id, g.kiosk.station_code)
    response = Response(found.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{found.filename}"'
    response.headers[SIGNATURE_HEADER] = sign(g.kiosk.secret, found.data)
    response.headers["Cache-Control"] = "no-store"
    return response
