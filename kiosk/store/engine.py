"""SQLite engines of the kiosk database: the connection settings every connection gets.

Two kinds: the store's own (foreign keys on) and the migrator's (foreign keys off, since
a batch ALTER drops and re-creates a table, and with foreign keys on that DROP would
cascade-delete the outbox's page and transition rows).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

BUSY_TIMEOUT_MS = 15_000


def _pragmas(foreign_keys: bool):  # type: ignore[no-untyped-def]
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
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
        # Off by default in SQLite; page and transition rows follow their item.
        cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        # UI, sync worker and staff CLI are separate connections: wait for the lock.
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # Overwrite deleted content with zeros, so purged drafts do not linger in free pages.
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    return on_connect


def _on_begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("tongban_begin", "IMMEDIATE")
    conn.exec_driver_sql(f"BEGIN {mode}")


def open_engine(path: Path, *, foreign_keys: bool = True) -> Engine:
    """An engine whose transactions start with ``BEGIN IMMEDIATE`` (override per
    connection with the ``tongban_begin`` execution option)."""
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _pragmas(foreign_keys))
    event.listen(engine, "begin", _on_begin)
    return engine
