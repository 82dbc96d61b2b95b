"""Kiosk credentials verified moments ago, so a burst of requests checks the secret once.

A kiosk sends four requests per submission (three pages and the commit); looking its row
up for every one was a sixth of the server's work per submission. Only successful checks
are kept, for ``AUTH_CACHE_SECONDS`` (default 5; 0 turns the cache off), keyed by
database and kiosk, and only the secret's hash is held. ``enrollment.revoke`` forgets the
kiosk at once in its own process; other workers notice a revocation within the TTL.
"""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass

from .db import Database
from .enrollment import KioskPrincipal, authenticate, hash_token

_MAX_ENTRIES = 50_000


@dataclass(frozen=True)
class _Entry:
    station_code: str
    secret_hash: str
    expires: float


_entries: dict[tuple[str, str], _Entry] = {}
_lock = threading.Lock()


def verified_principal(db: Database, kiosk_id: str, secret: str, ttl: float) -> KioskPrincipal:
    """The caller's principal; raises ApiError 401 exactly as :func:`authenticate` does."""
    key = (db.url, kiosk_id)
    entry = _entries.get(key) if ttl > 0 else None
    if (
        entry is not None
        and entry.expires > time.monotonic()
        and hmac.compare_digest(entry.secret_hash, hash_token(secret))
    ):
        return KioskPrincipal(kiosk_id, entry.station_code, secret)
    with db.single_statement() as connection:
        principal = authenticate(connection, kiosk_id, secret)
    if ttl > 0:
        with _lock:
            if len(_entries) >= _MAX_ENTRIES:
                _entries.clear()
            _entries[key] = _Entry(principal.station_code, hash_token(secret), time.monotonic() + ttl)
    return principal


def forget(kiosk_id: str) -> None:
    """Drop a kiosk's cached check (on revocation), for every database of this process."""
    with _lock:
        for key in [k for k in _entries if k[1] == kiosk_id]:
            del _entries[key]
