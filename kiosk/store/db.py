"""The kiosk's SQLite database: durable settings, integrity check, transactions.

The caller owns the transaction (``Database.write()`` / ``read()``); helpers never commit.
Write transactions start with ``BEGIN IMMEDIATE`` so two writers (the UI and the sync
worker, or a staff CLI) queue on the lock up front instead of failing half-way when a
read turns into a write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from .models import Base

DB_FILE = "kiosk.db"
BUSY_TIMEOUT_MS = 15_000


class StoreCorrupt(Exception):
    """The local database failed its integrity check; see :func:`kiosk.store.recovery`."""

    def __init__(self, path: Path, findings: list[str]) -> None:
        self.path = path
        self.findings = findings
        shown = "; ".join(findings[:5])
        super().__init__(
            f"kiosk database {path} is corrupt ({shown}). Run 'tongban kiosk recover' to move "
            "it aside and rebuild the outbox from the sealed manifest files; page files are kept."
        )


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Take transactions out of the sqlite3 module's hands; SQLAlchemy's "begin" event
    # below emits BEGIN itself, so the lock mode is ours to choose.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    # WAL: the UI can read while the sync worker writes, and a commit is an append to
    # the log, so a torn write on power loss cannot damage committed pages.
    cur.execute("PRAGMA journal_mode=WAL")
    # FULL: fsync the WAL at every commit. With NORMAL a WAL commit is durable only at
    # the next checkpoint, and a finalized submission must survive a power cut.
    cur.execute("PRAGMA synchronous=FULL")
    # Foreign keys are off by default in SQLite; page and transition rows follow their item.
    cur.execute("PRAGMA foreign_keys=ON")
    # UI, sync worker and staff CLI are separate connections: wait for the lock.
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Overwrite deleted content with zeros, so purged drafts do not linger in free pages.
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


def _on_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("tongban_begin", "IMMEDIATE")
    conn.exec_driver_sql(f"BEGIN {mode}")


def check_integrity(path: Path, full: bool = False) -> list[str]:
    """Findings of ``quick_check`` (or ``integrity_check``); empty when healthy."""
    if not path.exists():
        return []
    pragma = "integrity_check" if full else "quick_check"
    try:
        con = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            rows = [r[0] for r in con.execute(f"PRAGMA {pragma}").fetchall()]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return [f"{type(exc).__name__}: {exc}"]
    return [] if rows == ["ok"] else rows


class Database:
    """One kiosk database file with its engine and transaction helpers."""

    def __init__(self, path: Path, *, check: str | None = "quick") -> None:
        self.path = path
        if check:
            findings = check_integrity(path, full=(check == "full"))
            if findings:
                raise StoreCorrupt(path, findings)
        self.engine: Engine = create_engine(f"sqlite:///{path}", future=True)
        event.listen(self.engine, "connect", _on_connect)
        event.listen(self.engine, "begin", _on_begin)
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(
            self.engine.execution_options(tongban_begin="DEFERRED"), expire_on_commit=False
        )
        try:
            Base.metadata.create_all(self.engine)
        except DatabaseError as exc:
            self.engine.dispose()
            raise StoreCorrupt(path, [str(exc.orig)]) from None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction (BEGIN IMMEDIATE): commits on success, rolls back on error."""
        with self._writer.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader.begin() as session:
            yield session

    def checkpoint(self) -> None:
        """Fold the WAL into the main file and truncate it (after purging personal data)."""
        raw = self.engine.raw_connection()  # outside any transaction, or it cannot truncate
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            raw.close()

    def close(self) -> None:
        self.engine.dispose()
