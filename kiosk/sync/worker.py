"""The background sync thread the Kivy app (and ``tongban kiosk sync``) runs.

It repeats :meth:`SyncService.run_once`: every ``interval`` seconds while things go well,
after a full-jitter backoff while they do not. ``trigger()`` asks for a cycle now (a
resident just finalized); ``stop()`` ends it promptly, even in the middle of a wait.
The UI must not touch the network or the database on its own thread: it reads
:meth:`state` (cheap, no I/O) and gets each report through ``on_report`` (call
``Clock.schedule_once`` from there to get back to the UI thread).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from .backoff import Backoff
from .service import SyncReport, SyncService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncState:
    """What the UI shows about sync; ``online`` means the last cycle reached the server."""

    running: bool
    online: bool
    last_success_at: datetime | None
    last_error: str | None
    next_attempt_at: datetime | None
    last_report: SyncReport | None


class SyncWorker:
    def __init__(
        self,
        service: SyncService,
        on_report: Callable[[SyncReport], None] | None = None,
        stop_when_idle: bool = False,
    ) -> None:
        self.service = service
        self.stop_event = service.stop  # retry waits inside a cycle wake on stop too
        self._wake = threading.Event()
        self._on_report = on_report
        self._stop_when_idle = stop_when_idle
        self._thread: threading.Thread | None = None
        self._backoff = Backoff(service.settings.cycle_base, service.settings.cycle_cap)
        self._state = SyncState(False, False, None, None, None, None)
        self._lock = threading.Lock()

    def start(self) -> SyncWorker:
        if self._thread is None or not self._thread.is_alive():
            self.stop_event.clear()
            self._thread = threading.Thread(target=self._run, name="tongban-sync", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float | None = 30.0) -> None:
        self.stop_event.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.service.lock.release()

    def trigger(self) -> None:
        """Sync as soon as possible (e.g. right after a resident finalized)."""
        self._wake.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def state(self) -> SyncState:
        with self._lock:
            return self._state

    def _run(self) -> None:
        with self._lock:
            self._state = SyncState(True, False, None, None, None, None)
        while not self.stop_event.is_set():
            report = self.service.run_once(hold_lock=True)
            delay = self._after(report)
            if self._on_report is not None:
                try:
                    self._on_report(report)
                except Exception:
                    log.exception("on_report callback failed")
            if self._stop_when_idle and report.ok and not self.service.outbox.waiting_uuids(1):
                break
            self._wake.wait(delay)
            self._wake.clear()
        with self._lock:
            self._state = replace(self._state, running=False)

    def _after(self, report: SyncReport) -> float:
        if report.ok:
            self._backoff.reset()
            delay = self.service.settings.interval
        elif report.error and report.error.startswith("busy"):
            delay = self.service.settings.interval
        else:
            delay = self._backoff.next_delay()
        now = datetime.now(UTC)
        prev = self._state
        with self._lock:
            self._state = SyncState(
                running=True,
                online=report.ok or report.heartbeat,
                last_success_at=report.finished_at if report.ok else prev.last_success_at,
                last_error=report.error,
                next_attempt_at=now + timedelta(seconds=delay),
                last_report=report,
            )
        return delay
