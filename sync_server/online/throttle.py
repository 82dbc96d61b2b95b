"""Counting failures (and code requests) per key in the database, with a lock once too many.

The rows are shared by every server node (issue 16). Each count takes the row's lock
(``SELECT … FOR UPDATE`` on PostgreSQL, the write lock on SQLite), so two nodes counting
at once both count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .models import Throttle
from .rows import insert_missing

KEY_LEN = 96


@dataclass(frozen=True)
class Limit:
    """At most ``most`` in ``window``; reaching it locks the key for ``lock``."""

    most: int
    window: timedelta
    lock: timedelta


def key(kind: str, who: str) -> str:
    return f"{kind}:{who}"[:KEY_LEN]


def locked_until(session: Session, name: str, now: datetime) -> datetime | None:
    """When the lock on ``name`` ends, or None when it is not locked."""
    until = session.scalar(select(Throttle.locked_until).where(Throttle.key == name))
    return until if until is not None and until > now else None


def count(session: Session, name: str, limit: Limit, now: datetime) -> bool:
    """Count one for ``name``; True when this count locked it."""
    insert_missing(session, Throttle, "key", key=name, count=0, window_start=now)
    row = session.scalars(select(Throttle).where(Throttle.key == name).with_for_update()).one()
    if now - row.window_start > limit.window or (row.locked_until is not None and row.locked_until <= now):
        row.count, row.window_start, row.locked_until = 0, now, None
    row.count += 1
    if row.count >= limit.most:
        row.locked_until = now + limit.lock
        return True
    return False


def clear(session: Session, name: str) -> None:
    session.execute(delete(Throttle).where(Throttle.key == name))
