"""Full garbage collections only when nobody is waiting for the screen.

Kivy widgets form reference cycles, so every rebuilt screen leaves garbage that only the
cyclic collector frees. Left to itself, Python runs a full collection whenever enough
has piled up: 200-600 ms with a catalog and OpenCV loaded, landing in the middle of a
resident's tap. Instead: after the warm-up, everything alive is frozen (it lives as long
as the kiosk), automatic full collections are switched off, and a full collection runs
when the screen has been left alone for a few seconds (the young generations are still
collected automatically; they are small and fast).
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


class QuietCollector:
    def __init__(self, idle_for: Callable[[], float], quiet_s: float = QUIET_S) -> None:
        self.idle_for = idle_for
        self.quiet_s = quiet_s
        self.dirty = False
        self.last_pause_ms = 0.0

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
            began = time.perf_counter()
            gc.collect()
            trim()
            self.last_pause_ms = (time.perf_counter() - began) * 1000
            self.dirty = False
            log.debug("quiet full collection: %.0f ms", self.last_pause_ms)
