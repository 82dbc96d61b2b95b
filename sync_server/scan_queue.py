"""The scan queue: Huey, on SQLite by default (one machine, no extra server) or on Redis
(several scan workers on other machines, same code), chosen by ``SCAN_QUEUE_URL``.

A message carries only a job id; the job row (:mod:`sync_server.scan_jobs`) is the truth.
Huey's Redis storage takes a message off the list when a worker starts it, so a worker
killed mid-job would lose it: the job's lease (renewed while it scans) runs out and any
worker's reaper puts the job back on the queue (:mod:`sync_server.scan_worker`). A message
lost before any worker read it (Redis flushed, the queue file gone) is sent again by the
same reaper once the job has waited ``SCAN_RESEND_AFTER_SECONDS``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey

EXTENSION_KEY = "tongban.scan_queue"
TASK_NAME = "tongban.scan_page"


def make_huey(url: str, name: str = "tongban-scan") -> Huey:
    """``sqlite:///path`` (embedded) or ``redis://host:port/db`` (scaled out); ``name``
    prefixes every key, so tests and cities can share one Redis."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    if url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=url.removeprefix("sqlite:///"), results=False)
    raise ValueError(f"SCAN_QUEUE_URL must be sqlite:///… or redis://…, not {url!r}")


class ScanQueue:
    """The queue with its one task registered; the same in the web process and the worker."""

    def __init__(self, url: str, name: str = "tongban-scan") -> None:
        self.url = url
        self.huey = make_huey(url, name)
        self._task = self.huey.task(name=TASK_NAME)(_run_message)

    def enqueue(self, job_id: str) -> None:
        self._task(job_id)

    def pending(self) -> int:
        return self.huey.pending_count()

    def flush(self) -> None:
        self.huey.flush()


def _run_message(job_id: str) -> None:
    """Runs in a scan worker only (it installed the runner before consuming)."""
    from .scan_worker import run_installed

    run_installed(job_id)


def init_app(app: Flask) -> None:
    if EXTENSION_KEY not in app.extensions:
        app.extensions[EXTENSION_KEY] = ScanQueue(app.config["SCAN_QUEUE_URL"], app.config["SCAN_QUEUE_NAME"])


def get_queue(app: Flask | None = None) -> Any:
    """The app's queue, created on first use (a server that never scans opens nothing)."""
    app = app or current_app
    init_app(app)
    return app.extensions[EXTENSION_KEY]
