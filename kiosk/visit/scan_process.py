"""The visit's Scanner, with the scan pipeline in a worker process (``scan_worker.py``).

Why a process: the OCR models and the page images of a scan cost ~220 MB that a
thread-run pipeline keeps in the kiosk app for good. The worker is started when a visit
reaches a step that scans (identity, materials, progress) and stopped when the visit ends
or nobody scanned for ``idle_stop_s``; its memory then goes back to the system.

A worker that dies during a scan (crash, killed, out of memory) raises
:class:`~kiosk.visit.ports.ScannerStopped`: the screen says so and the resident presses
Capture again, which starts a new worker. The visit's pages live in the app and its
draft folder, so nothing already captured is lost.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared_schema import Matter

from .ports import ScannedPage, ScannerStopped

if TYPE_CHECKING:
    import numpy as np

    from ..hardware.camera import Still

log = logging.getLogger(__name__)

REAP_EVERY_S = 2.0


class ScanFailed(RuntimeError):
    """The worker is fine but the request raised (a bug in a stage); the page is not taken."""


@dataclass
class _Child:
    proc: subprocess.Popen
    conn: Connection


class ProcessScanner:
    """Scanner and QR reader backed by one worker process at a time (requests never overlap)."""

    def __init__(
        self,
        work_dir: Path,
        idle_stop_s: float = 120.0,
        reply_timeout_s: float = 180.0,
        engine: str | None = None,
    ) -> None:
        self.work_dir = Path(work_dir)
        self.engine = engine  # the OCR engine by name (the hardware profile's scan.engine)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.idle_stop_s = idle_stop_s
        self.reply_timeout_s = reply_timeout_s
        self._child: _Child | None = None
        self._stopping: list[_Child] = []  # workers detached and not yet reaped
        self._lock = threading.Lock()
        self._last_used = time.monotonic()
        self._reaper: threading.Thread | None = None
        self._closed = threading.Event()
        self.started = 0  # workers started so far (tests, health)
        self.in_flight = False  # a request is with the worker

    # -- the Scanner port ----------------------------------------------------------------
    def scan(self, image: Still | np.ndarray, source: str, matter: Matter | None) -> ScannedPage:
        return self._call("scan", image, source, matter)  # a Still: only its path is sent

    def codes(self, image: Still | np.ndarray) -> list[str]:
        return self._call("codes", image)

    # -- life of the worker --------------------------------------------------------------
    def start(self, preload: bool = True) -> None:
        """Have a worker ready soon (returns at once: called on the UI thread)."""
        starting = threading.Thread(target=self._start_now, args=(preload,), name="scan-worker-start")
        starting.daemon = True
        starting.start()

    def stop(self) -> None:
        """End the worker after the request it may be serving (returns at once)."""
        threading.Thread(target=self._stop_now, name="scan-worker-stop", daemon=True).start()

    def close(self) -> None:
        """The kiosk is closing: stop the worker and wait for it."""
        self._closed.set()
        self._stop_now()

    def pid(self) -> int | None:
        """The worker's process id while one exists: serving, or stopping and not yet
        reaped. None means no worker process is left, not even a zombie."""
        for child in (self._child, *list(self._stopping)):
            if child is not None and child.proc.poll() is None:
                return child.proc.pid
        return None

    def _start_now(self, preload: bool) -> None:
        with self._lock:
            if not self._closed.is_set():
                self._ensure(preload)

    def _stop_now(self) -> None:
        with self._lock:
            child = self._detach()
        if child is not None:
            self._retire(child)

    def _detach(self) -> _Child | None:
        """No current worker any more (the lock is held); pid() still sees the old one."""
        child = self._child
        if child is not None:
            self._stopping.append(child)  # before the swap: pid() never sees a gap
        self._child = None
        return child

    def _retire(self, child: _Child, grace: float = 3.0) -> None:
        """End a detached worker and forget it once reaped."""
        try:
            _end(child, grace)
        finally:
            self._stopping.remove(child)

    def _ensure(self, preload: bool = False) -> _Child:
        """The running worker, or a new one (the lock is held)."""
        child = self._child
        if child is not None and child.proc.poll() is None:
            return child
        if child is not None:  # died while nobody was asking: start again without a fuss
            log.warning("scan worker had exited with %s; starting a new one", child.proc.returncode)
            _end(child)
        ours, theirs = socket.socketpair()
        args = [sys.executable, "-m", "kiosk.visit.scan_worker", str(theirs.fileno()), str(self.work_dir)]
        proc = subprocess.Popen(
            [*args, *(["--preload"] if preload else []), *(["--engine", self.engine] if self.engine else [])],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._child = _Child(proc, Connection(ours.detach()))
        self.started += 1
        self._last_used = time.monotonic()
        if self._reaper is None or not self._reaper.is_alive():
            self._reaper = threading.Thread(target=self._reap, name="scan-worker-reaper", daemon=True)
            self._reaper.start()
        return self._child

    def _call(self, *request: Any) -> Any:
        with self._lock:
            child = self._ensure()
            self.in_flight = True
            try:
                child.conn.send(request)
                if not child.conn.poll(self.reply_timeout_s):
                    raise TimeoutError(f"no reply in {self.reply_timeout_s:.0f} s")
                status, value = child.conn.recv()
            except (EOFError, OSError, TimeoutError) as exc:  # OSError: broken pipe, reset
                self._detach()
                self._retire(child, grace=0.0)
                raise ScannerStopped(f"scan worker ended ({child.proc.returncode}): {exc}") from exc
            finally:
                self._last_used, self.in_flight = time.monotonic(), False
        if status != "ok":
            raise ScanFailed(value)
        return value

    def _reap(self) -> None:
        """Stop a worker nobody has used for ``idle_stop_s`` (the visit moved on or was left)."""
        while not self._closed.wait(min(REAP_EVERY_S, self.idle_stop_s)):
            if self._child is None or time.monotonic() - self._last_used < self.idle_stop_s:
                continue
            if not self._lock.acquire(blocking=False):
                continue  # serving a request: not idle
            try:
                child = self._detach()
            finally:
                self._lock.release()
            if child is not None:
                log.info("scan worker idle for %.0f s: stopped", self.idle_stop_s)
                self._retire(child)


def _end(child: _Child, grace: float = 3.0) -> None:
    """Ask the worker to stop, kill it if it does not, and wait for it (no zombies)."""
    if child.proc.poll() is None and grace > 0:
        try:
            child.conn.send(("stop",))
            child.proc.wait(grace)
        except (OSError, subprocess.TimeoutExpired):
            pass
    if child.proc.poll() is None:
        child.proc.kill()
    child.proc.wait()
    child.conn.close()
