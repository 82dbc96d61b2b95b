"""Request parsing, authentication and signed answers for every API view.

Views parse and answer; services decide. Every JSON body is parsed by ``body.parse_body``
(415, 400, 422 listing every bad field); every 2xx (and 304)
answer to an authenticated kiosk is signed with the secret it presented, so a captive
portal's 200 cannot pass for ours.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response, current_app, g, request
from pydantic import BaseModel
from werkzeug.exceptions import ClientDisconnected

from ..enrollment import KioskPrincipal
from ..errors import ApiError
from ..kiosk_auth import authenticate_request, sign_answer
from . import bp
from .compress import gzip_if_accepted

CHUNK = 64 * 1024
PUBLIC_ENDPOINTS = {"api.enroll", "api.openapi", "api.health"}


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return
    authenticate_request()


@bp.after_request
def _sign(response: Response) -> Response:
    # gzip after signing: the signature covers the plain body
    return gzip_if_accepted(sign_answer(response))


def principal() -> KioskPrincipal:
    return g.kiosk


@contextmanager
def body_deadline() -> Iterator[None]:
    """Give up on a client that sends no body bytes for ``BODY_IDLE_TIMEOUT`` seconds (408).

    Threaded workers have no per-request time limit, so a slow upload may take as long as
    it keeps moving; a stalled one must not hold its thread forever.
    """
    sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    seconds = current_app.config.get("BODY_IDLE_TIMEOUT")
    if sock is None or not seconds:
        yield
        return
    previous = sock.gettimeout()
    sock.settimeout(float(seconds))
    try:
        yield
    except (TimeoutError, ClientDisconnected) as exc:
        # werkzeug reports a read that timed out as a disconnect; tell the two apart
        if not isinstance(exc, TimeoutError) and not isinstance(exc.__context__, TimeoutError):
            raise
        raise ApiError(
            408,
            "body_timeout",
            f"no request body bytes for {seconds} s",
            "上传中断，请稍后重试",
            {"idle_seconds": seconds},
        ) from None
    finally:
        sock.settimeout(previous)


def body_chunks() -> Iterator[bytes]:
    """The request body in chunks (use inside :func:`body_deadline`)."""
    return iter(lambda: request.stream.read(CHUNK), b"")


def answer(body: BaseModel | str, status: int = 200) -> Response:
    """A JSON answer from a model (or from stored JSON text, replayed byte for byte)."""
    text = body if isinstance(body, str) else body.model_dump_json()
    return current_app.response_class(text, status=status, mimetype="application/json")
