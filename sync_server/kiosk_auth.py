"""The one way a request proves it comes from an enrolled kiosk, and how its answer is signed.

Every kiosk-facing blueprint (the sync API, the workspace's result download) calls
:func:`authenticate_request` before its views and :func:`sign_answer` on the way out, so
a change to kiosk authentication (the credential cache, revocation) reaches them all.
"""

from __future__ import annotations

from flask import Response, current_app, g, request

from shared_schema.protocol import SIGNATURE_HEADER, parse_auth_header, sign

from .auth_cache import verified_principal
from .db import get_db
from .enrollment import KioskPrincipal
from .errors import ApiError


def authenticate_request() -> None:
    """Keep the calling kiosk's :class:`KioskPrincipal` as ``g.kiosk``; raises ApiError 401
    otherwise. (Returns nothing: it runs as a ``before_request`` hook.)"""
    credentials = parse_auth_header(request.headers.get("Authorization"))
    if credentials is None:
        raise ApiError(
            401, "auth_required", "missing or malformed Authorization header", "请求未携带终端凭据"
        )
    config = current_app.config
    ttl = config.get("AUTH_CACHE_SECONDS", 0)
    recheck = config.get("REVOCATION_CHECK_SECONDS", 2.0)
    principal: KioskPrincipal = verified_principal(get_db(), *credentials, ttl=ttl, recheck=recheck)
    g.kiosk = principal


def sign_answer(response: Response) -> Response:
    """Sign a 2xx or 304 answer with the secret the kiosk presented (or ``g.answer_secret``),
    so a captive portal's 200 cannot pass for ours."""
    secret = getattr(g, "answer_secret", None) or getattr(g.get("kiosk"), "secret", None)
    if secret and (200 <= response.status_code < 300 or response.status_code == 304):
        response.headers[SIGNATURE_HEADER] = sign(secret, response.get_data())
    return response
