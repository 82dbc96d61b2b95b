"""Server-side scanning on the Redis scan queue (issue 15): ``python -m bench scanqueue``.

Pages per second with 1 and 2 ``tongban server scan-worker`` processes on Huey's Redis
backend, against the baseline of the kiosk pipeline scanning the same pages in one
process, all in the same run. The pages are phone photos of synthetic documents
(``kiosk.scan.synth.photos``). Each worker first scans warm-up pages (its OCR models load
once), then the clock runs from submitting the pages to the last stored result, so the
queue's numbers include its real costs: the job rows, progress updates, Redis, blobs.
Environment: ``BENCH_SCANQUEUE_PAGES`` (8).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kiosk.scan.pipeline import Pipeline
from kiosk.scan.synth.photos import phone_photos
from sync_server import migrate
from sync_server.blobstore import LocalBlobStore
from sync_server.db import Database
from sync_server.models import ScanJob
from sync_server.scan_jobs import submit_page_scan
from sync_server.scan_queue import ScanQueue

REDIS_URL = os.environ.get("BENCH_SCANQUEUE_REDIS", "redis://127.0.0.1:6379/14")
TONGBAN = str(Path(sys.executable).parent / "tongban")
STUCK_S = 1800


def baseline(paths: list[Path]) -> float:
    """Pages per second of one process running the kiosk pipeline over the pages."""
    pipe = Pipeline()
    pipe.process_file(paths[0])  # warm-up: models loaded, as in a worker
    started = time.perf_counter()
    for path in paths:
        pipe.process_file(path)
    return len(paths) / (time.perf_counter() - started)


def _wait_done(db: Database, job_ids: list[str]) -> None:
    deadline = time.monotonic() + STUCK_S
    while True:
        with db.transaction() as session:
            states = [session.get(ScanJob, j).state for j in job_ids]  # type: ignore[union-attr]
        if "failed" in states:
            raise RuntimeError("a benchmark scan job failed")
        if all(s == "done" for s in states):
            return
        if time.monotonic() > deadline:
            raise RuntimeError("scan jobs stuck")
        time.sleep(0.05)


def _submit(db: Database, queue: ScanQueue, shas: list[str], owner: str) -> list[str]:
    with db.transaction(write=True) as session:
        return [
            submit_page_scan(session, owner=owner, blob_sha256=sha, material_hint=None, queue=queue)
            for sha in shas
        ]


def queued(photos: list[bytes], workers: int, home: Path) -> float:
    """Pages per second of ``workers`` scan-worker processes on the Redis queue."""
    home.mkdir(parents=True)
    url = f"sqlite:///{home / 'server.db'}"
    migrate.upgrade(url)
    db = Database(url)
    blobs = LocalBlobStore(home / "blobs")
    shas = []
    for data in photos:
        shas.append(hashlib.sha256(data).hexdigest())
        blobs.put(shas[-1], [data], len(data))
    queue = ScanQueue(REDIS_URL, f"tongban-bench-{secrets.token_hex(4)}")
    (home / "server.toml").write_text(f'SCAN_QUEUE_NAME = "{queue.huey.name}"\n', encoding="utf-8")
    env = {**os.environ, "TONGBAN_SCAN_QUEUE": REDIS_URL, "TONGBAN_SERVER_CONFIG": str(home / "server.toml")}
    cmd = [TONGBAN, "server", "--home", str(home), "--db", url, "scan-worker"]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        _wait_done(db, _submit(db, queue, shas[:workers], owner="warm-up"))
        started = time.perf_counter()
        _wait_done(db, _submit(db, queue, shas, owner="bench"))
        return len(shas) / (time.perf_counter() - started)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        for proc in procs:
            proc.wait(timeout=120)
        queue.flush()
        db.dispose()


def run() -> str:
    count = int(os.environ.get("BENCH_SCANQUEUE_PAGES", "8"))
    photos = phone_photos(count, seed=0)
    with tempfile.TemporaryDirectory(prefix="bench-scanqueue-") as tmp:
        root = Path(tmp)
        paths = []
        for i, data in enumerate(photos):
            paths.append(root / f"page{i}.jpg")
            paths[-1].write_bytes(data)
        single = baseline(paths)
        rates = {n: queued(photos, n, root / f"w{n}") for n in (1, 2)}
    cores = os.cpu_count() or 1
    lines = [
        "## Server-side scanning on the Redis scan queue (issue 15)",
        "",
        f"{count} phone photos of synthetic documents (1600×1200 JPEG, every document kind), "
        f"{cores} CPU cores. Baseline: the kiosk pipeline in one process. Queue: Huey on "
        "Redis, `tongban server scan-worker` processes (one thread each), job rows on SQLite.",
        "",
        "| how | pages/s | vs baseline |",
        "| --- | ---: | ---: |",
        f"| kiosk pipeline, one process (baseline) | {single:.2f} | 1.00× |",
    ]
    for n, rate in rates.items():
        lines.append(
            f"| Redis queue, {n} scan worker{'s' if n > 1 else ''} | {rate:.2f} | {rate / single:.2f}× |"
        )
    lines += [
        "",
        "The pipeline already runs OCR beside the quality gate on a second thread, so one "
        "worker uses more than one core; a second worker on the same machine gains only "
        "what cores are left. More machines, each with its own scan workers on the same "
        "Redis, is how a city scales (docs/deploy.md).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
