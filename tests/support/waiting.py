"""Wait for a real event a test cannot be told about, rather than sleeping a guess.

The machine running the tests may be loaded (CI: 2 shared cores), so nothing here says
how long something *should* take: ``wait_until`` polls the condition itself and gives
up only after ``STUCK_S``, a bound for "stuck", far above any honest wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable

STUCK_S = 120.0
POLL_S = 0.02


def wait_until(ready: Callable[[], bool], what: str, timeout: float = STUCK_S) -> None:
    """Return as soon as ``ready()`` is true; AssertionError naming ``what`` if it never is."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout:.0f} s for {what}")
        time.sleep(POLL_S)
