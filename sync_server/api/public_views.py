"""Enrollment, catalog, OpenAPI document and a health check."""

from __future__ import annotations

from flask import Response, g, jsonify, request
from sqlalchemy import text

from shared_schema.api import EnrollRequest

from ..catalog_sync import current_release, release_in_format
from ..db import get_db, utcnow
from ..enrollment import enroll
from ..errors import ApiError
from . import bp
from .body import parse_body
from .compress import compressible
from .io import answer
from .openapi import openapi_document
from .params import CATALOG_FORMAT_PARAM


@bp.post("/enroll", endpoint="enroll")
def enroll_view() -> Response:
    """Exchange a one-time code for credentials (404 unknown, spent or expired code)."""
    body = parse_body(EnrollRequest, "enrollment request")
    with get_db().transaction(write=True) as session:
        result = enroll(session, body.code, body.name, body.profile)
    g.answer_secret = result.secret
    return answer(result, 201)


@bp.get("/catalog", endpoint="catalog")
def catalog() -> Response:
    """The current catalog; ``If-None-Match`` with the current ETag gives 304."""
    with get_db().transaction() as session:
        release = current_release(session)
        if release is None:
            raise ApiError(
                503, "no_catalog", "no catalog loaded; run tongban server init-db", "服务器尚未加载事项清单"
            )
        body, etag = release_in_format(release, CATALOG_FORMAT_PARAM.read(default=1))
        wanted = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
        response = Response(status=304) if etag in wanted else answer(body)
    compressible(etag)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/openapi.json", endpoint="openapi")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.get("/health", endpoint="health")
def health() -> Response:
    """Unauthenticated liveness check (database reachable); used by tests and monitors."""
    with get_db().transaction() as session:
        session.execute(text("SELECT 1"))
    return jsonify({"ok": True, "at": utcnow().isoformat()})
