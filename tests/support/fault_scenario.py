"""The fault-injection scenario of issue 4, shared by the test and ``bench/sync.py``.

A seeded chaos proxy drops, resets, delays and truncates connections between one kiosk
and the real server (gunicorn). While the kiosk drains its outbox (``tongban kiosk sync
--drain`` in a subprocess), the server is SIGKILLed mid-upload and restarted, and the
kiosk's sync process is SIGKILLed mid-sync and restarted. :func:`check_exactly_once`
then proves exactly-once delivery, byte-identical pages and routing.
"""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from kiosk.store import KioskStore, Outbox, OutboxState, save_identity
from kiosk.store.handovers import Handovers
from kiosk.store.states import SERVER_STATES
from kiosk.sync.enroll import enroll
from shared_schema import IdentityCheck, SubmissionState
from shared_schema.handover import masked_id

from .chaos_proxy import Chaos, ChaosProxy
from .kiosk_factories import STATION, finalize_one
from .live_server import LiveServer, fresh_database
from .waiting import STUCK_S, wait_until

ROOT = Path(__file__).resolve().parents[2]
# Kept-alive connections carry many requests: each also breaks after 0.2–1 MB.
CHAOS = Chaos(drop=0.05, reset=0.08, truncate=0.08, delay=0.1, delay_range=(0.0, 0.02),
              cut_range=(0, 120_000), lifetime_range=(200_000, 1_000_000), seed=20240601)  # fmt: skip


@dataclass
class Scenario:
    server: LiveServer
    proxy: ChaosProxy
    home: Path
    uuids: list[str]


def sync_process(home: Path, log: Path) -> subprocess.Popen[bytes]:
    args = ["kiosk", "--home", str(home), "sync", "--drain", "--interval", "0.2", "--retry-base", "0.05",
            "--retry-cap", "0.5", "--tries", "3", "--timeout", "5"]  # fmt: skip
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tongban_cli.main", *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def server_count(server: LiveServer) -> int:
    try:
        return server.query("SELECT count(*) FROM submissions")[0][0]
    except Exception:  # the database may be mid-recovery right after a kill
        return -1


def prepare(tmp: Path, backend: str, count: int, *, gunicorn_workers: int = 2, seed: int = 1) -> Scenario:
    """Server + enrolled kiosk with ``count`` finalized submissions (1–5 pages) + proxy."""
    db_url = fresh_database(backend, tmp)
    server = LiveServer(tmp / "server", db_url, gunicorn=True, workers=gunicorn_workers).start()
    home = tmp / "kiosk"
    identity = enroll(home, server.url, server.enrollment_code(STATION))
    rng = random.Random(seed)
    with KioskStore(home) as store:
        uuids = [finalize_one(store, seed=10_000 + i, pages=rng.randint(1, 5), page_size=(160, 120))
                 for i in range(count)]  # fmt: skip
    proxy = ChaosProxy(("127.0.0.1", server.port), CHAOS).start()
    save_identity(home, dataclasses.replace(identity, server_url=proxy.url))
    return Scenario(server, proxy, home, uuids)


def run_with_faults(sc: Scenario, log: Path, timeout: float = 240) -> dict[str, object]:
    """Drain the outbox while killing the server and the kiosk's sync process."""
    n = len(sc.uuids)
    kiosk = sync_process(sc.home, log)
    kills = {"server": 0, "kiosk": 0}
    at: list[int] = []  # submissions on the server at each kill
    try:
        for fraction in (0.25, 0.6):
            wait_until(
                lambda f=fraction: server_count(sc.server) >= n * f, f"{fraction:.0%} ingested", timeout / 2
            )
            sc.server.kill()  # SIGKILL master and workers mid-upload
            kills["server"] += 1
            at.append(server_count(sc.server))
            time.sleep(0.3)
            sc.server.start()
            wait_until(
                lambda f=fraction: server_count(sc.server) >= n * f + 3, "progress after restart", timeout / 2
            )
            os.killpg(kiosk.pid, signal.SIGKILL)  # the kiosk sync process, mid-sync
            kiosk.wait(STUCK_S)
            kills["kiosk"] += 1
            at.append(server_count(sc.server))
            kiosk = sync_process(sc.home, log)
        kiosk.wait(timeout)
        assert kiosk.returncode == 0, log.read_text()[-3000:]
    finally:
        if kiosk.poll() is None:
            os.killpg(kiosk.pid, signal.SIGKILL)
            kiosk.wait(STUCK_S)
    sc.proxy.chaos = Chaos()  # calm, then one more cycle so the feed brings every state home
    final = sync_process(sc.home, log)
    final.wait(120)
    assert all(0 < count < n for count in at), f"a kill did not land mid-drain: {at} of {n}"
    return {**kills, "at": at}


def check_exactly_once(sc: Scenario) -> None:
    n = len(sc.uuids)
    total, uuids, receipts = sc.server.query(
        "SELECT count(*), count(DISTINCT client_uuid), count(DISTINCT receipt_no) FROM submissions"
    )[0]
    assert (total, uuids, receipts) == (n, n, n)
    unrouted = sc.server.query("SELECT receipt_no, state FROM submissions WHERE department_code IS NULL "
                               "OR state <> 'routed'")  # fmt: skip
    assert unrouted == []
    decisions = sc.server.query("SELECT count(DISTINCT submission_id) FROM routing_decisions")[0][0]
    assert decisions == n
    server_pages = sc.server.query(
        "SELECT s.receipt_no, p.position, p.sha256 FROM submission_pages p JOIN submissions s "
        "ON s.id = p.submission_id ORDER BY s.receipt_no, p.position"
    )
    with KioskStore(sc.home) as store:
        outbox = Outbox(store)
        by_receipt: dict[str, list[str]] = {}
        for receipt_no, _pos, sha in server_pages:
            by_receipt.setdefault(receipt_no, []).append(sha)
        for uuid in sc.uuids:
            entry = outbox.get(uuid)
            assert entry.state in SERVER_STATES and entry.state is not OutboxState.failed, entry
            manifest = outbox.manifest(uuid)
            local = [p.sha256 for m in manifest.materials for p in m.pages]
            assert by_receipt[manifest.receipt_no] == local
            for sha in set(local):
                assert sc.server.blob(sha) == store.pages.get(sha)  # byte-identical
        assert outbox.waiting_uuids() == []


def queue_handovers(sc: Scenario, store: KioskStore, uuids: list[str]) -> None:
    """送达 of ``uuids``: completed for pickup on the server, then handed over at the kiosk."""
    from sync_server.db import get_db
    from sync_server.events import record_event
    from sync_server.models import Submission

    picked = [Outbox(store).manifest(uuid) for uuid in uuids]
    with get_db(sc.server.in_app()).transaction(write=True) as session:
        for manifest in picked:
            by_receipt = select(Submission).where(Submission.receipt_no == manifest.receipt_no)
            sub = session.scalars(by_receipt).one()
            record_event(session, sub, SubmissionState.accepted, actor="rev")
            record_event(session, sub, SubmissionState.completed, actor="rev", pickup_station=STATION)
    handovers = Handovers(store)
    for manifest in picked:
        handovers.record(
            manifest.receipt_no, station_code=manifest.station_code, handed_by="李明",
            handed_to=manifest.applicant.name, identity_check=IdentityCheck.id_card_reader,
            id_number_masked=masked_id(manifest.applicant.id_number or ""),
        )  # fmt: skip


def sync_with_kills(sc: Scenario, log: Path, timeout: float = 120) -> list[int]:
    """Sync what is queued through the hostile proxy while the server and then the kiosk's
    sync process are SIGKILLed once each (after the first handover landed: the items are
    small, a kill may land before or after the last one, either way nothing may be lost or
    doubled), then one calm cycle. The handovers on the server at each kill."""
    sc.proxy.chaos = CHAOS
    kiosk = sync_process(sc.home, log)
    try:
        wait_until(lambda: _handovers_on_server(sc.server) >= 1, "a first handover", timeout / 2)
        sc.server.kill()
        at = [_handovers_on_server(sc.server)]
        sc.server.start()
        os.killpg(kiosk.pid, signal.SIGKILL)
        kiosk.wait(STUCK_S)
        at.append(_handovers_on_server(sc.server))
        kiosk = sync_process(sc.home, log)
        kiosk.wait(timeout)
        assert kiosk.returncode == 0, log.read_text()[-3000:]
    finally:
        if kiosk.poll() is None:
            os.killpg(kiosk.pid, signal.SIGKILL)
            kiosk.wait(STUCK_S)
    sc.proxy.chaos = Chaos()
    sync_process(sc.home, log).wait(120)
    return at


def _handovers_on_server(server: LiveServer) -> int:
    try:
        return server.query("SELECT count(*) FROM handovers")[0][0]
    except Exception:  # the database may be mid-recovery right after a kill
        return -1


def check_handovers_once(sc: Scenario, count: int) -> None:
    """Every handover on the server once, each case delivered once, none held or waiting."""
    rows, cases = sc.server.query("SELECT count(*), count(DISTINCT submission_id) FROM handovers")[0]
    assert (rows, cases) == (count, count)
    delivered = sc.server.query(
        "SELECT count(*), count(DISTINCT submission_id) FROM submission_events WHERE state = 'delivered'"
    )[0]
    assert tuple(delivered) == (count, count)
    with KioskStore(sc.home) as store:
        handovers = Handovers(store)
        assert handovers.held() == [] and handovers.pending_count() == 0
