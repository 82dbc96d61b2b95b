"""Stored readings for the gate benchmark (``BENCH_SCAN_GATE_CACHE=dir``).

Reading a page is the benchmark's whole cost (minutes per engine); judging it is
milliseconds. So each page's reading and both gates' reports are stored once per split,
engine and page, and the verdicts are worked out again from them (``settle`` re-run on the
stored readings): a reliability rule is compared on ``tune`` in seconds.

A stored reading is what the scan code of its day read. Each file carries a stamp of the
scan code that made it (every ``kiosk/scan`` source but ``settle.py``, the part re-run);
loading one made by other code is an error, not a silent mix of old and new readings.
``BENCH_SCAN_GATE_CACHE_STALE=1`` loads it anyway, and the report says so.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from kiosk.scan.quality import QualityReport
from kiosk.scan.types import OcrResult

SCAN = Path(__file__).resolve().parent.parent / "kiosk" / "scan"
RE_RUN = {"settle.py"}  # judged again on every run, so no part of the stamp


@dataclass
class Reading:
    """One page as the benchmark saw it: the truth, the reading and the gates' reports."""

    index: int
    kind: str
    condition: str
    print_inside: bool
    content_inside: bool
    right: bool
    cer: float
    ocr: OcrResult | None
    fields: dict[str, str]
    expected: list[str]
    reports: dict[str, QualityReport | None]  # gate name → its report; None: no page reached it
    gate_ms: float
    stamp: str = ""
    load: float | None = None  # the machine's 1-min load average when the page was read
    image: Path | None = None  # the rectified page (PNG), for rules that look at it again


def stamp() -> str:
    """A digest of the scan code that reads a page (``settle.py`` left out)."""
    digest = hashlib.sha256()
    for path in sorted(SCAN.rglob("*.py")):
        if path.name not in RE_RUN:
            digest.update(str(path.relative_to(SCAN)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


class StaleReading(RuntimeError):
    """A stored reading made by other scan code than the tree's."""


@dataclass
class Cache:
    root: Path
    split: str
    engine: str
    current: str = field(default_factory=stamp)
    stale_ok: bool = field(default_factory=lambda: os.environ.get("BENCH_SCAN_GATE_CACHE_STALE") == "1")
    stale_seen: set[str] = field(default_factory=set)

    def _path(self, index: int) -> Path:
        return self.root / self.split / self.engine / f"{index:03d}.pickle"

    def load(self, index: int) -> Reading | None:
        path = self._path(index)
        if not path.exists():
            return None
        reading: Reading = pickle.loads(path.read_bytes())
        if reading.stamp != self.current:
            if not self.stale_ok:
                raise StaleReading(
                    f"{path} was read by scan code {reading.stamp}, the tree is {self.current}: "
                    "delete it to read again, or BENCH_SCAN_GATE_CACHE_STALE=1 to judge the old reading"
                )
            self.stale_seen.add(reading.stamp)
        return reading

    def save(self, reading: Reading, image: np.ndarray | None) -> None:
        path = self._path(reading.index)
        path.parent.mkdir(parents=True, exist_ok=True)
        reading.stamp = self.current
        if image is not None:
            reading.image = path.with_suffix(".png")
            cv2.imwrite(str(reading.image), image)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(pickle.dumps(reading))
        tmp.replace(path)  # a run stopped half-way leaves no half-written reading
