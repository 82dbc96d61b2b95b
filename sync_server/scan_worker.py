"""A scan worker: takes job ids off the scan queue and scans each page once.

Run as its own process (``tongban server scan-worker``, or started beside the web server
in the embedded setup), never inside a web worker: a page's OCR takes seconds of CPU.

Claiming a job is one conditional UPDATE (queued, or running with its lease run out), so
two deliveries of one message scan it once; finishing is conditional on still holding the
claim, so a worker that lost its lease cannot overwrite the result. While it scans, a
heartbeat renews the lease; every worker also runs a reaper that re-queues jobs whose
worker died (lease expired) — how a SIGKILLed worker's page still gets scanned — and sends
again a job no worker took within ``SCAN_RESEND_AFTER_SECONDS`` (its message was lost).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Update, and_, or_, select, update
from sqlalchemy.orm import Session

from .blobstore import LocalBlobStore
from .db import Database, utcnow
from .models import ScanJob
from .scan_jobs import stage_progress
from .scan_queue import ScanQueue

log = logging.getLogger("tongban.server.scan")
RESULT_KEYS = (
    "ok",
    "problems",
    "text",
    "ocr_confidence",
    "barcodes",
    "material",
    "fields",
    "rotation",
    "timings_ms",
)


def page_result(page: dict[str, Any], page_count: int) -> dict[str, Any]:
    """The stored result: what the resident's page shows, not where the worker kept files."""
    return {**{k: page[k] for k in RESULT_KEYS}, "page_count": page_count}


@dataclass(frozen=True)
class Reaped:
    """What one reaper pass did, by job id."""

    failed: list[str]  # a dead worker's job, out of attempts
    requeued: list[str]  # a dead worker's job, queued again
    resent: list[str]  # a waiting job whose message was lost, sent again


@dataclass
class ReaperCounts:
    """Totals since the worker started: how often workers died and messages were lost."""

    failed: int = 0
    requeued: int = 0
    resent: int = 0

    def add(self, reaped: Reaped) -> None:
        self.failed += len(reaped.failed)
        self.requeued += len(reaped.requeued)
        self.resent += len(reaped.resent)


def _changed(session: Session, statement: Update) -> list[str]:
    """Run a conditional UPDATE of scan jobs; the ids it changed (this caller's alone)."""
    return list(session.scalars(statement.returning(ScanJob.job_id)))


@dataclass
class ScanRunner:
    """Everything one worker process needs to run jobs: database, blobs, queue, pipelines."""

    db: Database
    blobs: LocalBlobStore
    queue: ScanQueue
    lease_s: float = 60.0
    max_attempts: int = 3
    resend_after_s: float = 600.0
    engine: str | None = None
    counts: ReaperCounts = field(default_factory=ReaperCounts)
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def __post_init__(self) -> None:
        if not self.resend_after_s > 0:
            raise ValueError(f"SCAN_RESEND_AFTER_SECONDS must be more than 0, not {self.resend_after_s}")

    def _pipeline(self) -> Any:
        """One pipeline per worker thread (its OCR engine loads once, is not shared)."""
        pipe = getattr(self._local, "pipeline", None)
        if pipe is None:
            from kiosk.scan.pipeline import Pipeline

            pipe = self._local.pipeline = Pipeline(engine=self.engine) if self.engine else Pipeline()
        return pipe

    def run(self, job_id: str) -> bool:
        """Scan the job unless it is done or held by a live worker; True when this run stored it."""
        token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        blob = self._claim(job_id, token)
        if blob is None:
            log.info("scan job %s: not claimable (done, failed or held)", job_id)
            return False
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job_id, token, stop), daemon=True)
        beat.start()
        try:
            result = self._scan(job_id, token, blob)
        except Exception as exc:
            self._set(job_id, token, state="failed", error=f"{type(exc).__name__}: {exc}"[:2000])
            raise
        finally:
            stop.set()
            beat.join()
        stored = self._set(job_id, token, state="done", stage="done", progress=100, result=result)
        if not stored:
            log.warning("scan job %s: lease lost before the result was stored; discarded", job_id)
        return stored

    def _claim(self, job_id: str, token: str) -> str | None:
        now = utcnow()
        progress, _ = stage_progress("load")
        with self.db.transaction(write=True) as session:
            claimed = session.execute(
                update(ScanJob)
                .where(
                    ScanJob.job_id == job_id,
                    or_(
                        ScanJob.state == "queued",
                        and_(ScanJob.state == "running", ScanJob.lease_until < now),
                    ),
                )
                .values(
                    state="running",
                    stage="load",
                    progress=progress,
                    worker=token,
                    attempts=ScanJob.attempts + 1,
                    lease_until=now + timedelta(seconds=self.lease_s),
                    updated_at=now,
                )
            ).rowcount
            if claimed != 1:
                return None
            return session.scalar(select(ScanJob.blob_sha256).where(ScanJob.job_id == job_id))

    def _set(self, job_id: str, token: str, **values: Any) -> bool:
        """Change the job only while this claim holds it (state running, our token)."""
        held = and_(ScanJob.job_id == job_id, ScanJob.worker == token, ScanJob.state == "running")
        extra = values.pop("_where", None)
        where = and_(held, extra) if extra is not None else held
        with self.db.transaction(write=True) as session:
            return (
                session.execute(update(ScanJob).where(where).values(updated_at=utcnow(), **values)).rowcount
                == 1
            )

    def _heartbeat(self, job_id: str, token: str, stop: threading.Event) -> None:
        while not stop.wait(self.lease_s / 3):
            self._set(job_id, token, lease_until=utcnow() + timedelta(seconds=self.lease_s))

    def _on_stage(self, job_id: str, token: str, stage: str) -> None:
        progress, _ = stage_progress(stage)
        self._set(job_id, token, stage=stage, progress=progress, _where=ScanJob.progress < progress)

    def _scan(self, job_id: str, token: str, blob_sha256: str) -> dict[str, Any]:
        if not self.blobs.has(blob_sha256):
            raise FileNotFoundError(f"page blob {blob_sha256} is not in the blob store")
        pipe = self._pipeline()
        pipe.on_stage = lambda stage: self._on_stage(job_id, token, stage)
        try:
            with tempfile.TemporaryDirectory(prefix="tongban-scan-") as tmp:
                path = Path(tmp) / "page"
                with self.blobs.open(blob_sha256) as src, path.open("wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                pages = pipe.process_file(path)
        finally:
            pipe.on_stage = None
        return page_result(pages[0].to_dict(), len(pages))

    def reap(self, now: datetime | None = None) -> Reaped:
        """One pass of the reaper (``now``: the clock, driven by tests).

        A job whose lease ran out (its worker died) is queued again, or failed when its
        attempts are spent. A job still waiting for a worker ``resend_after_s`` after it was
        last sent (its message was lost: Redis flushed, the queue file gone, a crash between
        the row's commit and the enqueue) is sent again. Each change is one conditional
        UPDATE … RETURNING, so of several workers' reapers only one sends a given job; and a
        message read twice is scanned once, as the claim takes only a waiting job.
        """
        now = now or utcnow()
        expired = (ScanJob.state == "running", ScanJob.lease_until < now)
        with self.db.transaction(write=True) as session:
            failed = _changed(
                session,
                update(ScanJob)
                .where(*expired, ScanJob.attempts >= self.max_attempts)
                .values(
                    state="failed", stage="failed", error="scan worker died on every attempt", updated_at=now
                ),
            )
            requeued = _changed(
                session,
                update(ScanJob)
                .where(*expired)
                .values(
                    state="queued", stage="queued", progress=0, worker=None, lease_until=None, updated_at=now
                ),
            )
            # a waiting job has no lease (done and failed ones keep theirs): the lease index finds it
            resent = _changed(
                session,
                update(ScanJob)
                .where(
                    ScanJob.lease_until.is_(None),
                    ScanJob.state == "queued",
                    ScanJob.updated_at < now - timedelta(seconds=self.resend_after_s),
                )
                .values(updated_at=now),
            )
        reaped = Reaped(failed=failed, requeued=requeued, resent=resent)
        self.counts.add(reaped)
        for job_id in failed:
            log.warning("scan job %s: its worker died on every attempt; failed", job_id)
        for job_id in requeued:
            log.warning("scan job %s: its worker died (lease ran out), queued again", job_id)
            self.queue.enqueue(job_id)
        for job_id in resent:
            log.warning(
                "scan job %s: no worker took it within %.0f s (its queue message was lost), sent again"
                " (%d re-sent by this reaper so far)",
                job_id,
                self.resend_after_s,
                self.counts.resent,
            )
            self.queue.enqueue(job_id)
        return reaped

    def reap_forever(self, stop: threading.Event) -> None:
        while not stop.wait(max(0.2, self.lease_s / 2)):
            try:
                self.reap()
            except Exception:  # a database hiccup must not end the reaper; it is logged, and retried
                log.exception("scan reaper failed; retrying")


_RUNNER: ScanRunner | None = None


def install(runner: ScanRunner) -> None:
    """Make ``runner`` the one that queue messages in this process run on."""
    global _RUNNER
    _RUNNER = runner


def run_installed(job_id: str) -> None:
    if _RUNNER is None:
        raise RuntimeError("no scan runner installed: scan jobs run only in a scan worker")
    _RUNNER.run(job_id)


def runner_from_config(config: dict[str, Any]) -> ScanRunner:
    return ScanRunner(
        db=Database(config["DATABASE_URL"]),
        blobs=LocalBlobStore(config["BLOB_DIR"]),
        queue=ScanQueue(config["SCAN_QUEUE_URL"], config["SCAN_QUEUE_NAME"]),
        lease_s=float(config["SCAN_LEASE_SECONDS"]),
        max_attempts=int(config["SCAN_MAX_ATTEMPTS"]),
        resend_after_s=float(config["SCAN_RESEND_AFTER_SECONDS"]),
        engine=config.get("SCAN_OCR_ENGINE"),
    )


def serve_worker(config: dict[str, Any], threads: int = 1) -> None:
    """Consume the scan queue until SIGINT/SIGTERM (Huey's consumer), reaping as it goes."""
    runner = runner_from_config(config)
    install(runner)
    stop = threading.Event()
    runner.reap()
    threading.Thread(target=runner.reap_forever, args=(stop,), daemon=True, name="scan-reaper").start()
    consumer = runner.queue.huey.create_consumer(
        workers=threads, worker_type="thread", periodic=False, initial_delay=0.05, backoff=1.15, max_delay=0.5
    )
    try:
        consumer.run()
    finally:
        stop.set()
        runner.db.dispose()


@contextmanager
def embedded_workers(home: str, db_url: str, count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` scan workers as child processes of the web server (one machine, no other
    service): started before it serves, stopped (SIGINT, then waited for) when it ends."""
    cmd = [sys.executable, "-c", "from tongban_cli.main import cli; cli()", "server", "--home", home]
    procs = [subprocess.Popen([*cmd, "--db", db_url, "scan-worker"]) for _ in range(count)]
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in procs:
            proc.wait()
