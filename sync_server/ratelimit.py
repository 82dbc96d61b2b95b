"""A per-client request budget shared by every worker of every node (verification page,
kiosk result lookups, feedback answer lookups).

Several nodes behind a load balancer each see part of a client's requests, so the count
lives in the database (``rate_limit_windows``, one row per scope and client): one atomic
upsert per request adds the hit and returns the window's total, with no read-then-write
race between nodes. Windows are fixed (``WINDOW_SECONDS``), so a client may spend up to
twice the budget across a window boundary, whatever the number of nodes, and is let in
again at most one window after it was refused. Refused requests count too: a script that
keeps knocking stays out until it stops for a window.

A node whose clock runs behind counts into the newer window another node opened (the
window never moves back), so a small clock difference between nodes cannot reset a
budget. Rows of clients silent for ``PRUNE_AFTER_WINDOWS`` windows are deleted when any
client opens a new window (an indexed range delete), so the table stays as small as the
set of recent clients.

PostgreSQL and Redis were both candidates; the database was chosen because every node
already depends on it and ``make demo`` (SQLite) keeps working with no other service.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from sqlalchemy import Connection, case, delete
from sqlalchemy.dialects import postgresql, sqlite

from .db import Database
from .errors import ApiError
from .models.rate_limits import RATE_CLIENT_LEN, RateLimitWindow

WINDOW_SECONDS = 60
PRUNE_AFTER_WINDOWS = 60  # an hour of silence

_TABLE = RateLimitWindow.__table__
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class RateLimiter:
    """At most ``per_minute`` requests per client and window in ``scope``, on every node."""

    def __init__(self, scope: str, per_minute: int, clock: Callable[[], float] = time.time) -> None:
        if per_minute < 1:
            raise ValueError("a rate limit needs a budget of at least one request")
        self.scope = scope
        self.per_minute = per_minute
        self.clock = clock  # wall time (Unix seconds): nodes share it, unlike monotonic time

    def allow(self, db: Database, client: str, cost: int = 1) -> bool:
        """Count ``cost`` hits (a request that asks several things at once costs each) from
        ``client``; False when its budget for the window is spent."""
        if cost < 1:
            raise ValueError("a request costs at least one hit")
        window = int(self.clock() // WINDOW_SECONDS)
        with db.single_statement(write=True) as connection:
            hits = _count(connection, self.scope, client[:RATE_CLIENT_LEN], window, cost)
            if hits == cost:  # this client opened a window: forget long-silent clients
                connection.execute(
                    delete(RateLimitWindow).where(
                        RateLimitWindow.scope == self.scope,
                        RateLimitWindow.window_no < window - PRUNE_AFTER_WINDOWS,
                    )
                )
        return hits <= self.per_minute

    def retry_after(self) -> int:
        """Whole seconds until the next window opens (a refused client's ``Retry-After``)."""
        return max(1, math.ceil(WINDOW_SECONDS - self.clock() % WINDOW_SECONDS))

    def refused(self, code: str, what: str, message_zh: str) -> ApiError:
        """The one 429 every budget answers with: the budget in ``details`` and the seconds
        until the next window in ``Retry-After``, so a client waits exactly as long as needed."""
        error = ApiError(
            429,
            code,
            f"at most {self.per_minute} {what} per client per minute; retry later",
            message_zh,
            {"per_minute": self.per_minute},
        )
        error.headers["Retry-After"] = str(self.retry_after())
        return error


def _count(connection: Connection, scope: str, client: str, window: int, cost: int = 1) -> int:
    """Add ``cost`` hits to the client's current window and return the window's hits."""
    insert = _INSERTS[connection.dialect.name]
    statement = insert(_TABLE).values(scope=scope, client=client, window_no=window, hits=cost)
    newer = statement.excluded.window_no > _TABLE.c.window_no
    statement = statement.on_conflict_do_update(
        index_elements=[_TABLE.c.scope, _TABLE.c.client],
        set_={
            "hits": case((newer, cost), else_=_TABLE.c.hits + cost),
            "window_no": case((newer, statement.excluded.window_no), else_=_TABLE.c.window_no),
        },
    ).returning(_TABLE.c.hits)
    return int(connection.execute(statement).scalar_one())
