"""Kiosk credentials verified earlier, so a kiosk's requests check its secret rarely.

A fleet kiosk makes a request every ~20 s; a cache shorter than that never hits, and the
look-up was a fifth of the server's work. Successful checks are kept for
``AUTH_CACHE_SECONDS`` (default 600; 0 turns the cache off), keyed by database and kiosk;
only the secret's hash is held.

Revocation must still take effect quickly on every worker of every node, so it does not
rely on process memory: :func:`enrollment.revoke` raises a revocation generation stored in
the database (``server_settings``, in the revoking transaction). Each process reads that
number at most once per ``REVOCATION_CHECK_SECONDS`` (default 2), one small look-up shared
by all its requests, and drops its whole cache when it has changed. A revoked kiosk is
therefore refused by every node within ``REVOCATION_CHECK_SECONDS`` of the commit (plus
one request's time), whatever the TTL. The revoking process also forgets at once.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .db import Database
from .enrollment import KioskPrincipal, authenticate, hash_token
from .models import ServerSetting

_MAX_ENTRIES = 50_000
GENERATION_KEY = "kiosk_revocation_generation"


@dataclass(frozen=True)
class _Entry:
    station_code: str
    secret_hash: str
    expires: float


@dataclass
class _Generation:
    value: str | None = None
    checked: float = float("-inf")


_entries: dict[tuple[str, str], _Entry] = {}
_generations: dict[str, _Generation] = {}
_lock = threading.Lock()


def verified_principal(
    db: Database, kiosk_id: str, secret: str, ttl: float, recheck: float = 2.0
) -> KioskPrincipal:
    """The caller's principal; raises ApiError 401 exactly as :func:`authenticate` does."""
    key = (db.url, kiosk_id)
    if ttl > 0:
        _follow_revocations(db, recheck)
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


def _follow_revocations(db: Database, recheck: float) -> None:
    """Drop this database's cached checks when its revocation generation moved; read it
    at most once per ``recheck`` seconds (one thread reads, the others wait for it)."""
    state = _generations.setdefault(db.url, _Generation())
    if time.monotonic() - state.checked < recheck:
        return
    with _lock:
        if time.monotonic() - state.checked < recheck:
            return
        with db.single_statement() as connection:
            value = connection.execute(
                select(ServerSetting.value).where(ServerSetting.key == GENERATION_KEY)
            ).scalar()
        if value != state.value:
            for key in [k for k in _entries if k[0] == db.url]:
                del _entries[key]
            state.value = value
        state.checked = time.monotonic()


def bump_generation(session: Session) -> None:
    """Announce a revocation to every process, in the revoking transaction: a fresh random
    value (a change is all the readers compare, so two revocations never need to agree).
    One upsert: the first revocations on two nodes at once both succeed (a read, then an
    insert, let one of them fail on the key)."""
    value = secrets.token_hex(8)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ServerSetting).values(key=GENERATION_KEY, value=value)
    statement = statement.on_conflict_do_update(index_elements=[ServerSetting.key], set_={"value": value})
    session.execute(statement)


def forget(kiosk_id: str) -> None:
    """Drop a kiosk's cached check (on revocation), for every database of this process."""
    with _lock:
        for key in [k for k in _entries if k[1] == kiosk_id]:
            del _entries[key]
