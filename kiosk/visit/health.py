"""Kiosk health for the assist screen: camera, printer, ID reader, disk, sync, catalog.

Each probe returns a status instead of raising, so one broken device never hides the
state of the others from the staff member looking at the screen.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

LOW_DISK_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class HealthItem:
    name: str  # camera / printer / id_reader / disk / sync / catalog
    ok: bool
    detail: str


Probe = Callable[[], tuple[bool, str]]


def _safe(name: str, probe: Probe) -> HealthItem:
    try:
        ok, detail = probe()
    except Exception as exc:  # a device driver may fail in any way; report, never crash
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    return HealthItem(name, ok, detail)


def disk_probe(home: Path, low_bytes: int = LOW_DISK_BYTES) -> Probe:
    def probe() -> tuple[bool, str]:
        free = shutil.disk_usage(home).free
        return free >= low_bytes, f"{free / 1024**3:.1f} GB free"

    return probe


def sync_probe(last_sync: Callable[[], datetime | None], max_age_s: float = 24 * 3600) -> Probe:
    def probe() -> tuple[bool, str]:
        when = last_sync()
        if when is None:
            return False, "never synced"
        age = (datetime.now(when.tzinfo) - when).total_seconds()
        return age <= max_age_s, f"last sync {when.isoformat(timespec='seconds')}"

    return probe


def health_report(probes: dict[str, Probe]) -> list[HealthItem]:
    return [_safe(name, probe) for name, probe in probes.items()]
