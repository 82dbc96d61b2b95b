"""The response headers every HTML page of the server sends (workspace and public pages)."""

from __future__ import annotations

from flask import Response


def secure(response: Response, csp: str) -> Response:
    """No sniffing, no framing, no referrer, never cached; ``csp`` decides what may load."""
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
