"""Engine, session and the declarative base every server model shares.

The caller owns the transaction (a request, a CLI command, one bundle manifest): it opens
one with :meth:`Database.transaction` and everything inside commits or rolls back
together; helpers only ``flush``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import JSON, Connection, DateTime, Engine, MetaData, create_engine, event, exc
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic batch migrations on SQLite can find them again.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EXTENSION_KEY = "tongban.db"

# JSON documents; JSONB on PostgreSQL so the workspace can index into them.
JsonType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware in Python, UTC in the database (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def normalize_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (the only PostgreSQL driver we ship)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, emit BEGIN (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL: readers (other gunicorn workers) never block the single writer and vice versa.
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: an acknowledged submission must survive a power cut; the kiosk deletes its
    # copy once we have acknowledged.
    cursor.execute("PRAGMA synchronous=FULL")
    # SQLite ignores foreign keys unless asked; we rely on them to refuse orphan rows.
    cursor.execute("PRAGMA foreign_keys=ON")
    # Workers wait for the write lock instead of failing with "database is locked".
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Write transactions take the write lock up front (BEGIN IMMEDIATE): a deferred
    # transaction that read first cannot upgrade once another writer committed, and
    # would fail instead of waiting. Read-only transactions stay deferred.
    mode = "IMMEDIATE" if conn.get_execution_options().get("tongban_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


# A pooled PostgreSQL connection idle for longer than this is pinged before use. Pinging
# every checkout (pool_pre_ping) costs a round trip per transaction, which is a large share
# of a blob upload; a connection used moments ago is almost surely alive, and should it
# have died (server restart), the error invalidates the whole pool and the kiosk retries.
PING_AFTER_IDLE_SECONDS = 10.0


def _ping_idle_connections(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError(f"stale pooled connection: {error}") from error


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with our SQLite settings, or a PostgreSQL pool pinged after idling."""
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_idle_connections(engine)
    return engine


def pool_options(url: str, size: int | None) -> dict[str, Any]:
    """A PostgreSQL pool of ``size`` connections (each thread of a worker holds at most one
    per engine at a time, so ``size`` ≥ threads means no waiting and no churn), with a few
    more allowed in a burst; SQLite keeps SQLAlchemy's own pool."""
    if size is None or make_url(normalize_url(url)).get_backend_name() == "sqlite":
        return {}
    return {"pool_size": size, "max_overflow": max(2, size // 2)}


class Database:
    """The engines of one process (gunicorn workers each build their own after fork)."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = normalize_url(url)
        self.engine = make_engine(self.url, **engine_kwargs)
        self._write_engine = self.engine.execution_options(tongban_write=True)
        # Single statements on PostgreSQL run in a pool of their own, in autocommit (no
        # BEGIN/COMMIT round trips) and with asynchronous commit (no WAL flush wait). Only
        # look-ups (authentication) and writes whose loss in a crash is harmless may go
        # there. Anything acknowledged commits synchronously through `transaction`, and
        # that WAL flush makes every earlier write durable too (the WAL is flushed in
        # order). SQLite keeps its transactions, which cost no round trip there.
        self._autocommit_engine = (
            None
            if self.is_sqlite
            else make_engine(
                self.url,
                isolation_level="AUTOCOMMIT",
                connect_args={"options": "-c synchronous_commit=off"},
                **engine_kwargs,
            )
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """A session inside one transaction: commit on success, roll back on any error."""
        bind = self._write_engine if write else self.engine
        with Session(bind=bind, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def single_statement(self, *, write: bool = False) -> Iterator[Connection]:
        """A connection for one statement that needs no transaction around it.

        For look-ups (authentication) and one-row idempotent writes whose loss in a crash
        is harmless (see above); anything that must be atomic with something else, or
        durable before an answer, belongs in :meth:`transaction`.
        """
        if self._autocommit_engine is not None:
            with self._autocommit_engine.connect() as connection:
                yield connection
        elif write:
            with self._write_engine.begin() as connection:
                yield connection
        else:
            with self.engine.connect() as connection:
                yield connection

    def dispose(self) -> None:
        self.engine.dispose()
        if self._autocommit_engine is not None:
            self._autocommit_engine.dispose()


def init_app(app: Flask) -> Database:
    url = app.config["DATABASE_URL"]
    database = Database(url, **pool_options(url, app.config.get("DB_POOL_SIZE")))
    app.extensions[EXTENSION_KEY] = database
    return database


def get_db(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[EXTENSION_KEY]
