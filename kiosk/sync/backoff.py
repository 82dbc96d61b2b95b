"""Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And
Jitter"): after the n-th failure wait a uniform random time in [0, min(cap, base·2ⁿ)].

Full jitter spreads a fleet of kiosks that all lost the same uplink, so they do not
hammer the server in lock-step when it comes back.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import TypeVar

from .errors import Stopped, TransientError

T = TypeVar("T")


class Backoff:
    def __init__(self, base: float = 1.0, cap: float = 300.0, rng: random.Random | None = None) -> None:
        self.base, self.cap = base, cap
        self.failures = 0
        self._rng = rng or random.Random()

    def ceiling(self) -> float:
        return min(self.cap, self.base * (2 ** min(self.failures, 32)))

    def next_delay(self) -> float:
        """Register a failure and return how long to wait before the next try."""
        self.failures += 1
        return self._rng.uniform(0, self.ceiling())

    def reset(self) -> None:
        self.failures = 0


def retrying(
    call: Callable[[], T],
    *,
    tries: int,
    backoff: Backoff,
    stop: threading.Event | None = None,
) -> T:
    """Run ``call``; on :class:`TransientError` wait a jittered delay and try again.

    Only for calls the server deduplicates (every write carries a client-generated id).
    Raises the last TransientError after ``tries`` attempts, or :class:`Stopped`.
    """
    stop = stop or threading.Event()
    for attempt in range(1, tries + 1):
        try:
            result = call()
        except TransientError:
            if attempt == tries:
                raise
            if stop.wait(backoff.next_delay()):
                raise Stopped("stopped while waiting to retry") from None
        else:
            backoff.reset()
            return result
    raise AssertionError("unreachable")
