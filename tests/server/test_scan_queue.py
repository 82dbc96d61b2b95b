"""Server-side page scans on the scan queue (issue 15): real worker processes, real Huey on
SQLite (embedded) and on the real Redis, the kiosk's real pipeline.

Each test waits for the job's recorded state (``wait_until``), never for a guessed time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from kiosk.scan.synth.photos import phone_photos
from sync_server.blobstore import LocalBlobStore
from sync_server.db import get_db, utcnow
from sync_server.models import ScanJob
from sync_server.scan_jobs import ScanJobView, job_view, submit_page_scan
from sync_server.scan_queue import ScanQueue
from sync_server.scan_worker import Reaped, ScanRunner, runner_from_config
from tests.support.waiting import wait_until

from .conftest import BACKENDS

# a db of its own, and a random key prefix per test; scripts/run_tests.sh sets it when Redis
# answers (and always under CI, where Redis must be there): unset, the Redis cases skip
REDIS_URL = os.environ.get("TONGBAN_TEST_REDIS")
TONGBAN = str(Path(sys.executable).parent / "tongban")
OWNER = "resident-1"


@pytest.fixture(scope="module")
def photos() -> list[bytes]:
    return phone_photos(1, seed=0)  # a page the quality gate accepts


@pytest.fixture(params=["embedded", "redis"])
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ScanQueue]:
    name = f"tongban-test-{secrets.token_hex(4)}"
    if request.param == "redis" and not REDIS_URL:
        pytest.skip("no Redis answered when the test run started (scripts/run_tests.sh said so)")
    url = f"sqlite:///{tmp_path / 'queue.db'}" if request.param == "embedded" else REDIS_URL
    q = ScanQueue(url, name)
    yield q
    q.flush()


def scan_once_per_queue(app: Flask, queue: ScanQueue) -> None:
    """A real scan takes seconds: each queue scans on one database backend (embedded with
    SQLite, Redis with the last backend, PostgreSQL when it is tested), not on all pairs."""
    redis = queue.url.startswith("redis")
    backend = "sqlite" if app.config["DATABASE_URL"].startswith("sqlite") else "postgresql"
    if backend != (BACKENDS[-1] if redis else "sqlite"):
        pytest.skip("this queue scans with another database backend")


def put_blob(app: Flask, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    LocalBlobStore(app.config["BLOB_DIR"]).put(sha, [data], len(data))
    return sha


def submit(app: Flask, queue: ScanQueue, sha: str, owner: str = OWNER) -> str:
    with get_db(app).transaction(write=True) as session:
        return submit_page_scan(session, owner=owner, blob_sha256=sha, material_hint=None, queue=queue)


def view(app: Flask, job_id: str, owner: str = OWNER) -> ScanJobView | None:
    with get_db(app).transaction() as session:
        return job_view(session, job_id, owner)


def row(app: Flask, job_id: str) -> ScanJob:
    with get_db(app).transaction() as session:
        job = session.get(ScanJob, job_id)
        assert job is not None
        session.expunge(job)
        return job


def start_worker(app: Flask, queue: ScanQueue, lease_s: int = 60) -> subprocess.Popen[bytes]:
    """``tongban server scan-worker`` as its own process, on the test's database and queue."""
    home = Path(app.config["HOME"])
    (home / "server.toml").write_text(
        f'SCAN_LEASE_SECONDS = {lease_s}\nSCAN_QUEUE_NAME = "{queue.huey.name}"\n'
        f'BLOB_DIR = "{app.config["BLOB_DIR"]}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "TONGBAN_SCAN_QUEUE": queue.url, "TONGBAN_SERVER_CONFIG": str(home / "server.toml")}
    cmd = [TONGBAN, "server", "--home", str(home), "--db", app.config["DATABASE_URL"], "scan-worker"]
    log = (home / f"worker-{secrets.token_hex(3)}.log").open("wb")
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_scan_pipeline_imports_without_kivy() -> None:
    """The server imports kiosk.scan; it must not pull in the kiosk app's Kivy."""
    code = (
        "import sys; sys.modules['kivy'] = None\n"
        "import kiosk.scan.pipeline, sync_server.scan_worker, sync_server.scan_jobs\n"
        "assert not any(m.startswith('kivy') and sys.modules[m] for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_submit_is_idempotent_and_owned(app: Flask, queue: ScanQueue) -> None:
    sha = hashlib.sha256(b"page").hexdigest()
    first = submit(app, queue, sha)
    assert submit(app, queue, sha) == first
    assert queue.pending() == 1  # the second submit queued nothing
    seen = view(app, first)
    assert seen is not None and (seen.state, seen.progress, seen.stage_label) == ("queued", 0, "排队等候识别")
    assert view(app, first, owner="someone-else") is None
    assert view(app, "not-a-job") is None
    assert submit(app, queue, sha, owner="someone-else") != first
    with pytest.raises(ValueError):
        submit(app, queue, "ABC")


def test_worker_scans_once_with_progress(app: Flask, queue: ScanQueue, photos: list[bytes]) -> None:
    scan_once_per_queue(app, queue)
    sha = put_blob(app, photos[0])
    job_id = submit(app, queue, sha)
    worker = start_worker(app, queue)
    try:
        progress: list[int] = []

        def done() -> bool:
            seen = view(app, job_id)
            assert seen is not None and seen.state != "failed", seen
            progress.append(seen.progress)
            return seen.state == "done"

        wait_until(done, "the page scanned")
        assert progress == sorted(progress) and progress[-1] == 100
        assert len(set(progress)) >= 3  # the resident sees the page move through stages
        result = view(app, job_id).result  # type: ignore[union-attr]
        assert result["ok"] is True and result["problems"] == [], result["problems"]
        assert "申请" in result["text"] or "登记" in result["text"], result["text"][:200]
        assert result["page_count"] == 1
        # the same page again: the same job, nothing queued, the one stored result
        assert submit(app, queue, sha) == job_id
        assert queue.pending() == 0
        assert row(app, job_id).attempts == 1
    finally:
        stop(worker)
    assert worker.returncode == 0


@pytest.mark.parametrize("queue", ["redis"], indirect=True)
def test_killed_worker_job_retried(app: Flask, queue: ScanQueue, photos: list[bytes]) -> None:
    """SIGKILL a worker mid-scan: its lease runs out, the other worker's reaper queues the
    job again, and it is scanned to one stored result."""
    scan_once_per_queue(app, queue)
    sha = put_blob(app, photos[0])
    job_id = submit(app, queue, sha)
    doomed = start_worker(app, queue, lease_s=3)
    try:
        wait_until(lambda: row(app, job_id).stage in ("ocr", "compress", "extract"), "the scan mid-way")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
    finally:
        if doomed.poll() is None:
            doomed.kill()
    assert row(app, job_id).state == "running"  # killed mid-job, held by a dead worker
    survivor = start_worker(app, queue, lease_s=3)
    try:
        wait_until(lambda: row(app, job_id).state in ("done", "failed"), "the job retried")
        job = row(app, job_id)
        assert (job.state, job.attempts) == ("done", 2), job.error
        assert job.result and job.result["ok"] is True
    finally:
        stop(survivor)


def test_server_run_scans_beside_it(app: Flask) -> None:
    """The embedded setup: ``tongban server run`` starts a scan worker on the default
    SQLite queue. A job for a blob the store lacks fails fast, with its reason recorded
    — proof the worker consumed it, without seconds of OCR."""
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("the embedded setup is tested on SQLite")
    home = Path(app.config["HOME"])
    cmd = [TONGBAN, "server", "--home", str(home), "--db", app.config["DATABASE_URL"], "run"]
    log = (home / "server.log").open("wb")
    server = subprocess.Popen(
        [*cmd, "--bind", "127.0.0.1:0", "--workers", "1"], stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        queue = ScanQueue(f"sqlite:///{home / 'scan_queue.db'}", "tongban-scan")
        job_id = submit(app, queue, hashlib.sha256(b"never stored").hexdigest())
        wait_until(lambda: row(app, job_id).state == "failed", "the embedded worker to take the job")
        assert "not in the blob store" in (row(app, job_id).error or "")
        assert view(app, job_id).stage_label == "识别没有完成，请重新上传"  # type: ignore[union-attr]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=120)


def test_reaper_requeues_dead_workers_jobs_then_gives_up(app: Flask, queue: ScanQueue) -> None:
    """A job held by a worker whose lease ran out is queued again (once), until its
    attempts are spent: then it fails with the reason, instead of looping forever."""
    retried = submit(app, queue, hashlib.sha256(b"retried").hexdigest())
    spent = submit(app, queue, hashlib.sha256(b"spent").hexdigest())
    live = submit(app, queue, hashlib.sha256(b"live").hexdigest())
    queue.flush()
    with get_db(app).transaction(write=True) as session:
        for job_id, attempts, lease in ((retried, 1, -1), (spent, 3, -1), (live, 1, 60)):
            job = session.get(ScanJob, job_id)
            assert job is not None
            job.state, job.worker, job.attempts = "running", "gone:1:x", attempts
            job.lease_until = utcnow() + timedelta(seconds=lease)
    runner = ScanRunner(get_db(app), LocalBlobStore(app.config["BLOB_DIR"]), queue, max_attempts=3)
    assert runner.reap() == Reaped(failed=[spent], requeued=[retried], resent=[])
    assert queue.pending() == 1
    assert (row(app, retried).state, row(app, retried).worker) == ("queued", None)
    assert row(app, spent).state == "failed" and "died" in (row(app, spent).error or "")
    assert row(app, live).state == "running"
    assert runner.reap() == Reaped(failed=[], requeued=[], resent=[])  # nothing twice
    assert (runner.counts.failed, runner.counts.requeued, runner.counts.resent) == (1, 1, 0)


def drop_message(queue: ScanQueue, job_id: str) -> None:
    """Delete the job's message from the queue's own store, as a flushed Redis, a lost
    queue file or a crash before the enqueue would: the job row still says ``queued``."""
    huey, storage = queue.huey, queue.huey.storage
    dropped = 0
    if queue.url.startswith("redis"):
        for data in storage.conn.lrange(storage.queue_key, 0, -1):
            if huey.deserialize_task(data).args == (job_id,):
                dropped += storage.conn.lrem(storage.queue_key, 0, data)
    else:
        with closing(sqlite3.connect(queue.url.removeprefix("sqlite:///"))) as conn, conn:
            rows = conn.execute("select id, data from task where queue = ?", (storage.name,)).fetchall()
            ids = [(tid,) for tid, data in rows if huey.deserialize_task(data).args == (job_id,)]
            dropped = conn.executemany("delete from task where id = ?", ids).rowcount
    assert dropped == 1 and queue.pending() == 0


def test_reaper_resends_a_lost_message_once_per_age(
    app: Flask, queue: ScanQueue, caplog: pytest.LogCaptureFixture
) -> None:
    """A job still waiting ``resend_after_s`` after it was sent is sent again (logged,
    counted), once per that age while no worker takes it; a job a worker holds or
    finished is left alone. The clock is driven, not waited for."""
    lost = submit(app, queue, hashlib.sha256(b"lost").hexdigest())
    held = submit(app, queue, hashlib.sha256(b"held").hexdigest())
    done = submit(app, queue, hashlib.sha256(b"done").hexdigest())
    queue.flush()  # only the held and done jobs' messages were taken by a worker
    sent_at = row(app, lost).updated_at
    with get_db(app).transaction(write=True) as session:
        for job_id, state in ((held, "running"), (done, "done")):
            job = session.get(ScanJob, job_id)
            assert job is not None
            job.state, job.worker, job.attempts = state, "live:1:x", 1
            job.lease_until = sent_at + timedelta(hours=2)
    runner = ScanRunner(get_db(app), LocalBlobStore(app.config["BLOB_DIR"]), queue, resend_after_s=300)
    nothing = Reaped(failed=[], requeued=[], resent=[])
    assert runner.reap(now=sent_at + timedelta(seconds=299)) == nothing
    later = sent_at + timedelta(seconds=301)
    with caplog.at_level(logging.WARNING, logger="tongban.server.scan"):
        assert runner.reap(now=later) == Reaped(failed=[], requeued=[], resent=[lost])
    assert f"scan job {lost}: no worker took it within 300 s (its queue message was lost), sent again" in (
        caplog.text
    )
    assert queue.pending() == 1 and row(app, lost).state == "queued"
    assert runner.reap(now=later + timedelta(seconds=299)) == nothing  # once per age
    assert runner.reap(now=later + timedelta(seconds=301)).resent == [lost]  # still nobody took it
    assert queue.pending() == 2 and runner.counts.resent == 2
    with pytest.raises(ValueError, match="SCAN_RESEND_AFTER_SECONDS"):
        ScanRunner(get_db(app), LocalBlobStore(app.config["BLOB_DIR"]), queue, resend_after_s=0)


def test_lost_message_resent_and_scanned_once(app: Flask, queue: ScanQueue, photos: list[bytes]) -> None:
    """The message is deleted from Redis / the queue file; the reaper sends the job again,
    and the lost message turning up after all (a second delivery) changes nothing: a real
    worker scans the page once."""
    scan_once_per_queue(app, queue)
    job_id = submit(app, queue, put_blob(app, photos[0]))
    drop_message(queue, job_id)
    config = {**app.config, "SCAN_QUEUE_URL": queue.url, "SCAN_QUEUE_NAME": queue.huey.name}
    runner = runner_from_config(config)  # the worker's own reaper, as configured
    later = row(app, job_id).updated_at + timedelta(seconds=runner.resend_after_s + 1)
    try:
        assert runner.reap(now=later).resent == [job_id]
    finally:
        runner.db.dispose()
    queue.enqueue(job_id)  # the same message twice
    assert queue.pending() == 2
    worker = start_worker(app, queue)
    try:
        wait_until(lambda: row(app, job_id).state in ("done", "failed"), "the re-sent job scanned")
        wait_until(lambda: queue.pending() == 0, "the worker to read the second message")
    finally:
        stop(worker)
    assert worker.returncode == 0
    job = row(app, job_id)
    assert (job.state, job.attempts) == ("done", 1), job.error
    assert job.result and job.result["ok"] is True
