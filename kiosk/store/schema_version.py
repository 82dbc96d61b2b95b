"""The kiosk database's schema revision, checked at every open without loading Alembic.

Almost every start finds the database current; reading one row with ``sqlite3`` then
suffices. A database with tables that is behind is migrated by Alembic in a child process
(:mod:`kiosk.store.migrate`): Alembic, Mako and Pygments (~12 MB) would otherwise stay in
the kiosk app for its whole life. A new one is created from the models
(:mod:`kiosk.store.fresh`).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
from pathlib import Path

from .engine import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)

HEAD = "f2a7c4e1b9d6"  # the newest file in migrations/versions (a test keeps the two equal)


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
    return _upgrade_in_child(path)


def _upgrade_in_child(path: Path) -> Path | None:
    """Run :func:`kiosk.store.migrate.upgrade` in a child process and raise what it raised:
    :class:`MigrationFailed`, ``sqlite3.OperationalError`` (locked, disk full) or
    ``sqlite3.DatabaseError`` (a damaged file); anything else is a ``RuntimeError``."""
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.store.migrate", str(path)], capture_output=True, text=True, check=False
    )
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        answer = {}
    if done.returncode == 0 and "backup" in answer:
        saved = Path(answer["backup"]) if answer["backup"] else None
        log.info("kiosk database %s migrated to %s in a child process (backup %s)", path, HEAD, saved)
        return saved
    if "failed" in answer:
        raise MigrationFailed(answer["failed"])
    if "locked" in answer:
        raise sqlite3.OperationalError(answer["locked"])
    if "corrupt" in answer:
        raise sqlite3.DatabaseError(answer["corrupt"])
    raise RuntimeError(
        f"migrating kiosk database {path} failed (child exit {done.returncode}): {done.stderr[-2000:]}"
    )
