"""Sync benchmarks (issue 4): ingest throughput against a bare endpoint, a 1,000-item
backlog drained with its wire overhead, and the fault-injection proof with 500 items.

- **Throughput**: K kiosk processes push their outboxes (3 pages of ~80 KB per
  submission) at the real server (gunicorn, PostgreSQL when it answers) and, in the same
  run with the same bytes, at ``bench._bare`` — gunicorn writing the bytes to disk and
  nothing else. Target: real ≥ 50 % of bare.
- **Backlog**: one kiosk drains 1,000 such submissions through a loopback proxy that counts
  every byte in both directions. Target: wire bytes / payload bytes ≤ 1.05 (payload = page
  bytes + compact manifest JSON).
- **Fault injection**: tests/support/fault_scenario.py with 500 submissions.

``TONGBAN_BENCH_SYNC_SCALE`` (default 1) scales every count down for a quick check.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import update

from kiosk.store import KioskStore, Outbox, load_identity, save_identity
from kiosk.store.models import OutboxItem
from kiosk.sync.enroll import enroll
from kiosk.sync.service import SyncService, SyncSettings
from tests.support.chaos_proxy import ChaosProxy
from tests.support.fault_scenario import check_exactly_once, prepare, run_with_faults
from tests.support.kiosk_factories import STATION, finalize_one, jpeg_page
from tests.support.live_server import LiveServer, drop_database, free_port, fresh_database

ROOT = Path(__file__).resolve().parent.parent
PAGE = (400, 320)  # a noise JPEG of this size is ~80 KB
# gunicorn's advice (2 × cores + 1), both sides: kept-alive connections stay with the
# worker that accepted them, so with few kiosks and few workers one worker (one GIL) may
# end up serving most of them.
WORKERS = 2 * (os.cpu_count() or 1) + 1
THREADS = 4  # the same worker class and threads as `tongban server run`


def _scale(n: int) -> int:
    return max(2, int(n * float(os.environ.get("TONGBAN_BENCH_SYNC_SCALE", "1"))))


def _backend() -> str:
    url = os.environ.setdefault("TONGBAN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        import psycopg

        psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3).close()
        return "postgresql"
    except Exception:
        return "sqlite"


def _kiosk(path: Path, server: LiveServer, count: int) -> Path:
    enroll(path, server.url, server.enrollment_code(STATION))
    with KioskStore(path) as store:
        for i in range(count):
            finalize_one(store, seed=i, page_data=[jpeg_page(-1, PAGE) for _ in range(3)], page_size=PAGE)
    return path


def _point(home: Path, url: str) -> None:
    from dataclasses import replace

    save_identity(home, replace(load_identity(home), server_url=url))


def _push_all(homes: list[Path], url: str) -> tuple[int, float]:
    for home in homes:
        _point(home, url)
    procs = [subprocess.Popen([sys.executable, "-m", "bench._push", str(h)], cwd=ROOT, stdout=subprocess.PIPE)
             for h in homes]  # fmt: skip
    results = [json.loads(p.communicate()[0]) for p in procs]
    assert all(r["failed"] == 0 for r in results), results
    elapsed = max(r["end"] for r in results) - min(r["start"] for r in results)
    return sum(r["acknowledged"] for r in results), elapsed


def _reset(homes: list[Path]) -> None:
    """Make pushed submissions waiting again (to send the same bytes to the other endpoint)."""
    for home in homes:
        with KioskStore(home) as store, store.db.write() as s:
            s.execute(update(OutboxItem).values(state="finalized"))


def _bare(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "BARE_DIR": str(tmp / "bare")}
    log = open(tmp / "bare.log", "wb")  # noqa: SIM115 - lives as long as the process
    args = ["-w", str(WORKERS), "-k", "gthread", "--threads", str(THREADS), "--keep-alive", "5",
            "-b", f"127.0.0.1:{port}", "--access-logfile", "-", "bench._bare:app"]  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(url + "/", timeout=1)
            return proc, url
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("bare endpoint did not start")


def _row(name: str, n: int, seconds: float) -> str:
    rate = n / seconds
    return f"| {name} | {n} | {seconds:.1f} | {rate:.1f} | {rate * 3 * 0.08:.1f} |"


def throughput(tmp: Path, server: LiveServer, kiosks: int, each: int) -> list[str]:
    """The bare endpoint is timed before and after the real server (same submissions,
    reset in between) and its mean rate used, so load from elsewhere drifting during the
    run favours neither side."""
    homes = [_kiosk(tmp / f"k{i}", server, each) for i in range(kiosks)]
    # Warm every worker (app, catalog, prepared statements, ID-number tables): kept-alive
    # connections stick to one worker, so several kiosks warm up at once.
    warm = [_kiosk(tmp / f"warm-up{i}", server, 4) for i in range(2 * WORKERS)]
    bare, bare_url = _bare(tmp)
    try:
        _push_all(warm, server.url)
        _reset(warm)
        _push_all(warm, bare_url)
        n_bare, t_bare = _push_all(homes, bare_url)
        _reset(homes)  # the same submissions again, now to the real server
        n_real, t_real = _push_all(homes, server.url)
        _reset(homes)
        n_bare2, t_bare2 = _push_all(homes, bare_url)
    finally:
        bare.terminate()
        bare.wait(20)
    stored = server.query("SELECT count(*) FROM submissions")[0][0] - 4 * len(warm)
    assert stored == n_real == n_bare == n_bare2 == kiosks * each, (stored, n_real, n_bare, n_bare2)
    bare_rate, real_rate = (n_bare / t_bare + n_bare2 / t_bare2) / 2, n_real / t_real
    ratio = real_rate / bare_rate
    return [
        "### Ingest throughput (3 pages × ~80 KB per submission)",
        "",
        f"{kiosks} kiosk processes × {each} submissions, gunicorn {WORKERS} gthread workers × "
        f"{THREADS} threads each side, kept-alive connections.",
        "",
        "| endpoint | submissions | seconds | submissions/s | MB/s (pages) |",
        "|---|---|---|---|---|",
        _row("bare (write bytes to disk only), before", n_bare, t_bare),
        _row("tongban sync server", n_real, t_real),
        _row("bare, after", n_bare2, t_bare2),
        "",
        f"Real / bare (mean of both bare runs): **{ratio:.0%}** "
        f"(target ≥ 50 %: {'met' if ratio >= 0.5 else 'NOT met'}).",
        "",
    ]


def backlog(tmp: Path, server: LiveServer, count: int) -> list[str]:
    home = _kiosk(tmp / "backlog", server, count)
    proxy = ChaosProxy(("127.0.0.1", server.port)).start()
    _point(home, proxy.url)
    with KioskStore(home) as store:
        outbox = Outbox(store)
        payload = 0
        for uuid in outbox.waiting_uuids():
            manifest = outbox.manifest(uuid)
            compact = json.dumps(manifest.to_json_dict(), ensure_ascii=False, separators=(",", ":"))
            payload += len(compact.encode()) + sum(p.size for m in manifest.materials for p in m.pages)
        service = SyncService(store, SyncSettings(request_tries=5, retry_base=0.05, retry_cap=1))
        started = time.perf_counter()
        cycles = 0
        while outbox.waiting_uuids(1) and cycles < 20:
            service.run_once()
            cycles += 1
        elapsed = time.perf_counter() - started
        left = len(outbox.waiting_uuids())
    proxy.stop()
    wire = proxy.stats.bytes_up + proxy.stats.bytes_down
    ratio = wire / payload
    return [
        f"### Backlog of {count} submissions drained",
        "",
        f"- drained in {elapsed:.1f} s ({count / elapsed:.1f} submissions/s), {cycles} sync cycle(s), "
        f"{left} left waiting",
        f"- payload {payload / 1e6:.1f} MB; on the wire {wire / 1e6:.1f} MB "
        f"(up {proxy.stats.bytes_up / 1e6:.1f}, down {proxy.stats.bytes_down / 1e6:.2f}); "
        f"{proxy.stats.connections} connections",
        f"- wire / payload: **{ratio:.3f}** (target ≤ 1.05: {'met' if ratio <= 1.05 else 'NOT met'})",
        "",
    ]


def faults(tmp: Path, backend: str, count: int) -> list[str]:
    started = time.perf_counter()
    sc = prepare(tmp, backend, count)
    try:
        ran = time.perf_counter()
        kills = run_with_faults(sc, tmp / "kiosk-sync.log", timeout=1200)
        drained = time.perf_counter() - ran
        check_exactly_once(sc)
        verdict = "passed"
    except AssertionError as exc:
        verdict, drained = f"FAILED: {exc}", time.perf_counter() - started
        kills = {}
    finally:
        sc.proxy.stop()
        sc.server.stop()
        drop_database(sc.server.db_url)
    st = sc.proxy.stats
    return [
        f"### Fault injection, {count} submissions (1–5 pages), {backend}",
        "",
        f"- {verdict}: exactly {count} on the server, byte-identical pages, none duplicated, all routed",
        f"- kills: {kills}; proxy: {st.connections} connections, {st.drops} dropped, {st.resets} reset, "
        f"{st.truncations} truncated, {st.delays} delayed chunks",
        f"- drained under faults in {drained:.0f} s",
        "",
    ]


def run() -> str:
    backend = _backend()
    lines = ["## Sync backbone (issue 4)", "", f"Server database: {backend}.", ""]
    with tempfile.TemporaryDirectory(prefix="tongban-bench-sync-") as tmp_name:
        tmp = Path(tmp_name)
        db_url = fresh_database(backend, tmp)
        server = LiveServer(tmp / "server", db_url, gunicorn=True, workers=WORKERS).start()
        try:
            lines += throughput(tmp / "tp", server, kiosks=4, each=_scale(50))
            lines += backlog(tmp / "bl", server, _scale(1000))
        finally:
            server.stop()
            drop_database(db_url)
        (tmp / "fi").mkdir()
        lines += faults(tmp / "fi", backend, _scale(500))
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
