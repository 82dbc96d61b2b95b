"""The online zone's lock-outs, one database row per key (failures and code requests).

Keys name what is counted and for whom (``verify:phone:<n>``, ``send:client:<addr>``…).
The rows are shared by every server node (issue 16); the rule is the server's one
lock-out rule (:mod:`sync_server.lockout`), applied under the row's lock so two nodes
counting at once both count.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..lockout import Limit, Tally
from .models import Throttle
from .rows import insert_missing

KEY_LEN = 96


def key(kind: str, who: str) -> str:
    return f"{kind}:{who}"[:KEY_LEN]


def locked_until(session: Session, name: str, now: datetime) -> datetime | None:
    """When the lock on ``name`` ends, or None when it is not locked."""
    until = session.scalar(select(Throttle.locked_until).where(Throttle.key == name))
    return Tally(locked_until=until).lock_end(now)


def count(session: Session, name: str, limit: Limit, now: datetime) -> None:
    """Count one for ``name`` (locking it once ``limit`` is reached)."""
    insert_missing(session, Throttle, "key", key=name, count=0, window_start=now)
    row = session.scalars(select(Throttle).where(Throttle.key == name).with_for_update()).one()
    after = Tally(row.count, row.window_start, row.locked_until).counted(limit, now)
    row.count, row.window_start, row.locked_until = after.count, after.since, after.locked_until


def clear(session: Session, name: str) -> None:
    session.execute(delete(Throttle).where(Throttle.key == name))
