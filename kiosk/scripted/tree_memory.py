"""Memory of the whole kiosk: the app process and its children (the scan worker).

RSS counts a shared library once per process that maps it; PSS splits shared pages
between the processes, so the sum of PSS is what the kiosk really occupies. Both are
reported (Linux ``/proc``; elsewhere the app's own RSS only).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

NOT_THE_KIOSK = {"Xvfb"}  # a script's private display server: a real kiosk has its own X


@dataclass
class TreeMemory:
    rss_mb: float = 0.0
    pss_mb: float = 0.0
    processes: int = 0
    app_rss_mb: float = 0.0  # the app's own share (the root process)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def _rollup(pid: int) -> tuple[float, float]:
    rss = pss = 0.0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) / 1024
    except (OSError, ValueError):  # the process ended while being read
        pass
    return rss, pss


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def tree_memory(pid: int | None = None) -> TreeMemory:
    """RSS and PSS summed over ``pid`` (default: this process) and its descendants but Xvfb."""
    root = pid or os.getpid()
    total, todo = TreeMemory(), [root]
    while todo:
        current = todo.pop()
        rss, pss = _rollup(current)
        if current == root:
            total.app_rss_mb = rss
        if rss and _name(current) not in NOT_THE_KIOSK:
            total.rss_mb += rss
            total.pss_mb += pss
            total.processes += 1
        todo += _children(current)
    return total


class PeakSampler:
    """Samples :func:`tree_memory` in a thread and keeps the highest RSS and PSS seen."""

    def __init__(self, every_s: float = 0.1) -> None:
        self.every_s = every_s
        self.peak = TreeMemory()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            now = tree_memory()
            if now.rss_mb > self.peak.rss_mb:
                self.peak.rss_mb, self.peak.processes = now.rss_mb, now.processes
                self.peak.app_rss_mb = now.app_rss_mb
            self.peak.pss_mb = max(self.peak.pss_mb, now.pss_mb)
