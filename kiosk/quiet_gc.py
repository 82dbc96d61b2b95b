"""Full garbage collections only when nobody is waiting for the screen.

Kivy widgets form reference cycles, so every rebuilt screen leaves garbage that only the
cyclic collector frees. Left to itself, Python runs a full collection whenever enough
has piled up: 200-600 ms with a catalog and OpenCV loaded, landing in the middle of a
resident's tap. Instead: after the warm-up, everything alive is frozen (it lives as long
as the kiosk), automatic full collections are switched off, and a full collection runs
when the screen has been left alone for a few seconds (the young generations are still
collected automatically; they are small and fast).

A full collection also runs while a resident waits for slow work (a scan, a print): the
screen is not expected to change then either. A visit taps on faster than it pauses (a
scripted one never pauses 3 s), and without it the garbage of every rebuilt screen piled
up to ~490,000 objects before Home; Python's allocator kept the ~95 arenas (1 MiB each) it
had taken for them, half of them for a few live objects each: ~45 MB of the settled RSS.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable

from .memory import trim

log = logging.getLogger(__name__)

QUIET_S = 3.0  # no touch for this long: nobody is waiting for the screen
NEVER = 1_000_000  # gen-1 collections before an automatic full one: effectively never
# A dead widget's kv rules are dropped by a weakref callback during a collection: what only
# they held is garbage for the next pass (measured after the demo visit: 62,000 objects)
PASSES = 2


class QuietCollector:
    def __init__(self, idle_for: Callable[[], float], quiet_s: float = QUIET_S) -> None:
        self.idle_for = idle_for
        self.quiet_s = quiet_s
        self.dirty = False
        self.last_pause_ms = 0.0
        self.while_waiting = 0  # collections run while a resident waited (tests, bench)

    def settle(self) -> None:
        """Once, after start-up: collect, freeze what is alive, stop automatic full runs."""
        gc.collect()
        gc.freeze()
        young, middle, _old = gc.get_threshold()
        gc.set_threshold(young, middle, NEVER)

    def changed(self) -> None:
        """A screen was rebuilt: there is garbage to collect at the next quiet moment."""
        self.dirty = True

    def tick(self, force: bool = False) -> None:
        """Called every second on the UI thread (``force``: collect now if anything changed)."""
        if self.dirty and (force or self.idle_for() >= self.quiet_s):
            self.collect()

    def waiting(self) -> None:
        """On the UI thread while the resident waits for slow work: collect now, changed
        or not (typing on a pad rebuilds keys without a new screen)."""
        self.collect()
        self.while_waiting += 1

    def collect(self) -> None:
        """A full collection, again while it finds garbage (at most ``PASSES``), then the
        freed heap back to the system."""
        began = time.perf_counter()
        found = [gc.collect()]
        while found[-1] and len(found) < PASSES:
            found.append(gc.collect())
        trim()
        self.last_pause_ms = (time.perf_counter() - began) * 1000
        self.dirty = False
        log.debug("full collection: %.0f ms, unreachable objects by pass %s", self.last_pause_ms, found)
