"""The kiosk's SQLite database: durable settings, integrity check, transactions.

The schema is versioned (:mod:`kiosk.store.schema_version`, :mod:`kiosk.store.migrate`):
opening a database migrates it to the newest revision first. The caller owns the
transaction (``Database.write()`` / ``read()``); helpers never commit. Write transactions
start with ``BEGIN IMMEDIATE`` so two writers (the UI and the sync worker, or a staff
CLI) queue on the lock up front instead of failing half-way when a read turns into a
write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from . import schema_version
from .engine import BUSY_TIMEOUT_MS, open_engine

DB_FILE = "kiosk.db"


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
        try:
            schema_version.ensure_current(path)  # before other connections; backup before that
        except (DatabaseError, sqlite3.DatabaseError) as exc:
            cause = getattr(exc, "orig", exc)
            if isinstance(cause, sqlite3.OperationalError):  # locked, disk full: not corruption
                raise
            raise StoreCorrupt(path, [str(cause)]) from None
        self.engine: Engine = open_engine(path)
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(
            self.engine.execution_options(tongban_begin="DEFERRED"), expire_on_commit=False
        )

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
