"""gzip for the one large answer kiosks fetch repeatedly: the catalog (~150 KB of JSON).

Applied after the answer is signed, so ``X-Tongban-Signature`` covers the identity body,
which is what a kiosk's HTTP client hands over once it has decompressed the answer.
A view opts in with :func:`compressible` and a key naming the body (the catalog's ETag),
so each worker compresses each catalog version once.
"""

from __future__ import annotations

import gzip
import threading

from flask import Response, g, request

MIN_BYTES = 1024
_cache: dict[str, bytes] = {}
_lock = threading.Lock()


def compressible(key: str) -> None:
    """Let this request's answer be gzipped; ``key`` must change whenever the body does."""
    g.gzip_key = key


def gzip_if_accepted(response: Response) -> Response:
    key = g.get("gzip_key")
    if key is None or response.status_code != 200:
        return response
    response.vary.add("Accept-Encoding")
    body = response.get_data()
    if request.accept_encodings.quality("gzip") <= 0 or len(body) < MIN_BYTES:
        return response
    packed = _cache.get(key)
    if packed is None:
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        with _lock:
            _cache.clear()  # one version (per worker) is all kiosks ask for
            _cache[key] = packed
    response.set_data(packed)
    response.headers["Content-Encoding"] = "gzip"
    return response
