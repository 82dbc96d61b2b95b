"""Versioned kiosk database: Alembic migrations applied on start, a backup taken first.

A kiosk in the field runs unattended; its database may hold submissions not yet sent.
So every start brings the database to the newest revision before anything else opens
it, and before changing a database that already holds data the whole file is copied
with SQLite's online backup API into ``backups/`` beside it (the newest few are kept).
The copy holds exactly what the database holds: personal data in it is sealed with the
kiosk key (``*_enc`` columns), as in the live file, and no plaintext copy is made.

A database the previous release made with ``create_all`` has the tables but no
``alembic_version``: it is stamped as the baseline revision (whose schema is exactly
what that release created) and then upgraded. After any migration the schema is
compared with the models; a difference stops the kiosk instead of letting it run on a
schema its code does not expect.

The kiosk runs this module as a child process (``python -m kiosk.store.migrate PATH``,
started by :func:`kiosk.store.schema_version.ensure_current`), so Alembic, Mako and
Pygments (~12 MB) never stay in the app after an upgrade; the child answers with one
JSON line on stdout.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, inspect
from sqlalchemy.exc import DBAPIError

from .engine import open_engine
from .fsutil import ensure_dir, fsync_dir
from .models import Base
from .schema_version import MigrationFailed, recorded_revision

log = logging.getLogger(__name__)
__all__ = ["MigrationFailed", "backup", "head_revision", "migrating", "revision", "upgrade"]

_IN_PROCESS = threading.Lock()
"""Alembic runs its migration scripts through module-level proxies (``alembic.op``,
``alembic.context``), so two threads of one process (several kiosk homes opened at once,
as the sync benchmark does) must not migrate at the same time, even different databases."""

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "a1f0c3b5d7e9"  # the schema the last release without migrations created
BACKUP_DIR = "backups"
BACKUPS_KEPT = 3


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "kiosk migrations have no head"
    return head


@contextmanager
def migrating(path: Path) -> Iterator[tuple[Connection, Config]]:
    """A connection (foreign keys off) inside ``BEGIN IMMEDIATE`` and an Alembic config
    that runs on it; commits when the block ends without an error."""
    engine = open_engine(path, foreign_keys=False)
    try:
        with engine.connect() as conn:
            conn.begin()
            config = alembic_config()
            config.attributes["connection"] = conn  # in a transaction: Alembic adds none of its own
            yield conn, config
            if conn.in_transaction():
                conn.commit()
    finally:
        engine.dispose()


def backup(path: Path, label: str) -> Path:
    """Copy the live database (WAL included) with the online backup API; prune old copies."""
    folder = path.parent / BACKUP_DIR
    ensure_dir(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{path.stem}-{stamp}-{label}.db"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never world-readable
    os.close(fd)
    src = sqlite3.connect(str(path))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())
    fsync_dir(folder)
    for old in sorted(folder.glob(f"{path.stem}-*.db"))[:-BACKUPS_KEPT]:
        old.unlink()
    fsync_dir(folder)
    return target


def schema_differences(path: Path) -> list[object]:
    """What the database lacks or has beyond the models (empty when they agree)."""
    engine = open_engine(path)
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))
    finally:
        engine.dispose()


def upgrade(path: Path) -> Path | None:
    """Bring the database at ``path`` to the head revision; returns the backup taken, if any.

    The whole migration is one ``BEGIN IMMEDIATE`` transaction: a second process starting
    at the same moment waits, then finds the work done; a power cut leaves the database as
    it was. Raises :class:`MigrationFailed` for a database newer than this software, rows
    orphaned by a migration, or a migrated schema that still differs from the models.
    """
    head = head_revision()
    if recorded_revision(path) == head:
        return None
    with _IN_PROCESS, migrating(path) as (conn, config):  # the write lock first; then look again
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        current = MigrationContext.configure(conn).get_current_revision()
        if current == head:
            return None
        _known(path, current, head)
        saved = backup(path, current or "unversioned") if tables else None
        if current is None and tables:
            log.info("kiosk database %s has no version: stamping the baseline %s", path, BASELINE)
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            conn.rollback()
            raise MigrationFailed(f"kiosk database {path}: migrating would orphan rows: {broken[:5]}")
    diff = schema_differences(path)
    if diff:
        raise MigrationFailed(
            f"kiosk database {path} differs from this software's models after migrating to "
            f"{head}: {diff}. The backup {saved} holds the data as it was."
        )
    log.info("kiosk database %s migrated %s -> %s (backup %s)", path, current, head, saved)
    return saved


def _known(path: Path, current: str | None, head: str) -> None:
    if current is None:
        return
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(current)
    except CommandError:
        raise MigrationFailed(
            f"kiosk database {path} is at revision {current}, which this software does not "
            f"know (its newest is {head}): it was written by a newer release. Install that "
            f"release again, or restore a copy from {path.parent / BACKUP_DIR}."
        ) from None


def revision(message: str) -> Path:
    """Autogenerate a revision from the models' difference to the head (for developers).

    Runs against a scratch database brought to the head without comparing it with the
    models (which, while a developer adds a table, differ on purpose); returns the file."""
    with (
        tempfile.TemporaryDirectory() as scratch,
        migrating(Path(scratch) / "scratch.db") as (_conn, config),
    ):
        command.upgrade(config, "head")
        script = command.revision(config, message=message, autogenerate=True)
    assert script is not None and not isinstance(script, list)
    return Path(script.path)


def main(argv: list[str]) -> int:
    """Child process: migrate the database at ``argv[0]``; print ``{"backup": path|null}``,
    or ``{"failed"|"locked"|"corrupt": message}`` and exit 2 (the parent raises it again)."""
    try:
        saved = upgrade(Path(argv[0]))
    except MigrationFailed as exc:
        answer = {"failed": str(exc)}
    except (DBAPIError, sqlite3.DatabaseError) as exc:
        cause = getattr(exc, "orig", None) or exc
        kind = "locked" if isinstance(cause, sqlite3.OperationalError) else "corrupt"
        answer = {kind: str(cause)}
    else:
        print(json.dumps({"backup": str(saved) if saved else None}))
        return 0
    print(json.dumps(answer))
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
