"""The kiosk database's schema revision, checked at every open without loading Alembic.

Almost every start finds the database current; reading one row with ``sqlite3`` then
suffices, and Alembic (about 0.2 s and 10 MB on a kiosk) loads only when a database
with tables is behind (:mod:`kiosk.store.migrate`); a new one is created from the models
(:mod:`kiosk.store.fresh`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .engine import BUSY_TIMEOUT_MS

HEAD = "e6b9d2f4a8c0"  # the newest file in migrations/versions (a test keeps the two equal)


class MigrationFailed(Exception):
    """The kiosk database cannot be brought to this software's schema; nothing was lost."""


def recorded_revision(path: Path) -> str | None:
    """The revision stored in the database; None for a new or unversioned one."""
    if not path.exists():
        return None
    con = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        con.close()


def ensure_current(path: Path) -> Path | None:
    """Migrate the database when it is behind; returns the backup taken, if any."""
    if recorded_revision(path) == HEAD:
        return None
    from .fresh import create_if_empty

    # a new database (no history to replay, no Alembic loaded), or one another process
    # starting at the same moment has just created
    if create_if_empty(path) or recorded_revision(path) == HEAD:
        return None
    from .migrate import upgrade

    return upgrade(path)
