"""N failures, then locked for T: the one rule behind every lock-out the server keeps.

Two stores count with it: the online zone's keyed rows (``online/throttle.py``: sign-in
failures and code requests per phone number and client address) and the staff account
row (``workspace/accounts.py``: wrong passwords). Each store reads its row under the
row's lock (``SELECT … FOR UPDATE`` on PostgreSQL, the write lock on SQLite), hands the
three values to :meth:`Tally.counted` and writes back what it returns, so two nodes
counting at once both count and both apply the same rule.

A lock ends by itself: the first count after it starts afresh (a full allowance again).
Counts older than the limit's ``window`` are forgotten the same way; a limit without a
window (staff logins) keeps counting until a success clears it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    """At most ``most`` (in ``window``, if any); reaching it locks for ``lock``."""

    most: int
    lock: timedelta
    window: timedelta | None = None  # None: counts add up until cleared

    def __post_init__(self) -> None:
        if self.most < 1 or self.lock <= timedelta(0):
            raise ValueError("a lock-out needs at least one try and a lock longer than zero")


@dataclass(frozen=True)
class Tally:
    """What a store keeps for one key: the count, when it began, and the lock it earned."""

    count: int = 0
    since: datetime | None = None
    locked_until: datetime | None = None

    def lock_end(self, now: datetime) -> datetime | None:
        """When the lock ends, or None when nothing is locked at ``now``."""
        return self.locked_until if self.locked_until is not None and self.locked_until > now else None

    def counted(self, limit: Limit, now: datetime) -> Tally:
        """This tally with one more counted at ``now`` (locked once it reaches the limit)."""
        lock_over = self.locked_until is not None and self.locked_until <= now
        window_over = limit.window is not None and self.since is not None and now - self.since > limit.window
        fresh = lock_over or window_over
        count = 1 if fresh else self.count + 1
        since = now if fresh or self.since is None else self.since
        locked = now + limit.lock if count >= limit.most else self.lock_end(now)
        return Tally(count, since, locked)
