"""Exactly-once inserts that survive two workers racing on the same unique key.

Look first; if absent, insert inside a SAVEPOINT. When another transaction committed the
same key in between, the database's unique constraint refuses ours (PostgreSQL waits for
the other commit, then raises); we roll back to the savepoint, read the winner's row and
let the caller compare it with what it wanted to insert (replay or conflict).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def insert_once(
    session: Session, find_existing: Callable[[], T | None], create: Callable[[], T]
) -> tuple[T, bool]:
    """``(row, created)``: the existing row, or the one ``create`` added and flushed."""
    existing = find_existing()
    if existing is not None:
        return existing, False
    return insert_or_reread(session, find_existing, create)


def insert_or_reread(
    session: Session, find_existing: Callable[[], T | None], create: Callable[[], T]
) -> tuple[T, bool]:
    """The racing half of :func:`insert_once` (tests call it directly to force the race)."""
    try:
        with session.begin_nested():
            row = create()
            session.flush()
    except IntegrityError:
        existing = find_existing()
        if existing is None:
            raise
        return existing, False
    return row, True
