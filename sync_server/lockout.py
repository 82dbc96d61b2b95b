"""N failures, then locked for T: the one rule behind every lock-out the server keeps.

Two stores count with it: the online zone's keyed rows (``online/throttle.py``: sign-in
failures and code requests per phone number and client address) and the staff account
row (``workspace/accounts.py``: wrong passwords). Each store reads its row under the
row's lock (``SELECT … FOR UPDATE`` on PostgreSQL, the write lock on SQLite), hands the
three values to :meth:`Tally.counted` and writes back what it returns, so two nodes
counting at once both count and both apply the same rule.

Reaching the limit locks the key and starts its count afresh, so a lock that ends (by
itself, or cleared by hand) leaves a whole allowance. Counts older than the limit's
``window`` are forgotten; a limit without a window (staff logins) keeps counting until a
success clears it.
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
        """This tally with one more counted at ``now``; reaching the limit locks the key and
        starts the count afresh, so the allowance is whole again when the lock ends."""
        window_over = limit.window is not None and self.since is not None and now - self.since > limit.window
        count = 1 if window_over else self.count + 1
        if count >= limit.most:
            return Tally(0, now, now + limit.lock)
        since = now if window_over or self.since is None else self.since
        return Tally(count, since, self.lock_end(now))
