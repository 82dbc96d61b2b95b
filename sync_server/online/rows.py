"""Insert a row unless its key exists, on SQLite and PostgreSQL alike (counters, throttles)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_missing(session: Session, model: type, conflict: str, **values: Any) -> None:
    """``INSERT … ON CONFLICT DO NOTHING``: two nodes creating the same row both succeed."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=[conflict]))
