"""Fleet bench (issue 16): how many kiosks one server node carries.

One node as `tongban server run` starts it (gunicorn, 3 workers × 8 threads, PostgreSQL),
loaded by ``bench/_fleet_sim.py`` (aiohttp, open loop, ``IDENTITIES`` kiosks enrolled
through the real API, time compressed to stand for the fleet). The baseline is the code
of commit ``BASELINE`` (checked out with ``git worktree add``), measured in the same run
at the same fleet sizes, each on a fresh database. Target: 10,000 kiosks, submissions at
p95 ≤ 200 ms, 0 errors. ``TONGBAN_BENCH_FLEET_SECONDS`` sets the measured seconds per
size (default 40; the machine is shared, keep runs short).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from bench._fleet_sim import Fleet, Tally, enroll, page_template
from tests.server.factories import STATION_ZEZHOU, write_catalog
from tests.support.live_server import drop_database, free_port, fresh_database

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "7d82ac0"
SIZES = (3000, 6000, 10000)
IDENTITIES = 200
WORKERS, THREADS = 3, 8
WARM_S = 10.0


def _tree(where: Path) -> Path:
    if not (where / "sync_server").is_dir():
        subprocess.run(["git", "worktree", "add", "--detach", str(where), BASELINE], cwd=ROOT, check=True,
                       capture_output=True)  # fmt: skip
    return where


def _codes(db_url: str, count: int) -> list[tuple[str, str]]:
    """Codes straight in the database, so old and new code are enrolled the same way."""
    import aiohttp  # noqa: F401  (fail early when the bench extra is missing)

    from sync_server.enrollment import ALPHABET, CODE_LENGTH, _random, format_code, hash_token

    now = datetime.now(UTC)
    codes = [_random(ALPHABET, CODE_LENGTH) for _ in range(count)]
    with create_engine(db_url).begin() as conn:
        conn.execute(
            text("INSERT INTO enrollment_codes (code_hash, station_code, created_at, expires_at) "
                 "VALUES (:h, :s, :c, :e)"),
            [{"h": hash_token(c), "s": STATION_ZEZHOU, "c": now, "e": now + timedelta(hours=2)}
             for c in codes],
        )  # fmt: skip
    return [(format_code(c), STATION_ZEZHOU) for c in codes]


def _serve(tree: Path, home: Path, db_url: str, catalog: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cli = [sys.executable, "-m", "tongban_cli.main", "server", "--home", str(home), "--db", db_url]
    subprocess.run([*cli, "init-db", "--catalog", str(catalog)], cwd=tree, env=env, check=True,
                   capture_output=True)  # fmt: skip
    port = free_port()
    log = open(home / "gunicorn.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen([*cli, "run", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
                             "--threads", str(THREADS)], cwd=tree, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}/api/v1"
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/health", timeout=2).status_code == 200:
                return proc, base
        except requests.RequestException:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"server in {tree} did not start; see {home}/gunicorn.log")


def _one(tree: Path, tmp: Path, name: str, fleet: int, seconds: float) -> Tally:
    home = tmp / f"{name}-{fleet}"
    home.mkdir()
    db_url = fresh_database("postgresql", home)
    proc, base = _serve(tree, home, db_url, write_catalog(home / "catalog"))
    try:
        codes = _codes(db_url, IDENTITIES)

        async def go() -> Tally:
            import aiohttp

            async with aiohttp.ClientSession() as session:
                identities = await enroll(session, base, codes)
            return await Fleet(base, identities, fleet, page_template()).run(WARM_S, seconds)

        return asyncio.run(go())
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(30)
        drop_database(db_url)


def _p(values: list[float], q: float) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    return f"{1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.0f}"


def _row(name: str, fleet: int, tally: Tally, seconds: float) -> str:
    every = [v for values in tally.latency.values() for v in values]
    subs = tally.latency.get("submission", [])
    errors = sum(tally.errors.values())
    detail = ", ".join(f"{k} {v}" for k, v in sorted(tally.errors.items())) if errors else "0"
    return (f"| {name} | {fleet:,} | {len(every) / seconds:.0f} | {_p(every, 0.5)} | {_p(every, 0.95)} | "
            f"{len(subs)} | {_p(subs, 0.5)} | {_p(subs, 0.95)} | {_p(subs, 0.99)} | {detail} |")  # fmt: skip


def run() -> str:
    seconds = float(os.environ.get("TONGBAN_BENCH_FLEET_SECONDS", "40"))
    sizes = [int(n) for n in os.environ.get("TONGBAN_BENCH_FLEET_SIZES", "").split(",") if n] or SIZES
    os.environ.setdefault("TONGBAN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    load = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory(prefix="fleet-") as tmp_name:
        tmp = Path(tmp_name)
        old = _tree(Path("/tmp/h12/old") if Path("/tmp/h12").is_dir() else tmp / "old")
        for fleet in sizes:
            for name, tree in ((f"baseline {BASELINE}", old), ("now", ROOT)):
                rows.append(_row(name, fleet, _one(tree, tmp, name.split()[0], fleet, seconds), seconds))
                print(rows[-1], flush=True)
    return "\n".join([
        "## Fleet: kiosks per server node (issue 16)",
        "",
        f"One node, gunicorn {WORKERS} workers × {THREADS} threads, PostgreSQL; {IDENTITIES} kiosks enrolled "
        "through the API stand for the fleet (time compressed), open loop: heartbeat 60 s, status feed "
        "30 s (now: only when the heartbeat says something is new), catalog 10 min, 20 submissions a day "
        f"of 3 × 80 KB in 8 h. {WARM_S:.0f} s warm-up, {seconds:.0f} s measured per row; baseline and now "
        f"in the same run. Load average when it started: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(other work shares this 2-core machine and the load generator runs on it too).",
        "",
        "| code | kiosks | req/s | p50 ms | p95 ms | submissions | sub. p50 | sub. p95 | sub. p99 | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *rows,
        "",
        "Target: 10,000 kiosks with submissions at p95 ≤ 200 ms and 0 errors.",
    ])  # fmt: skip
