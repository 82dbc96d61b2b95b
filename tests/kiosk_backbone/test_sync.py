"""The sync client against the real sync server (werkzeug thread, SQLite)."""

from __future__ import annotations

import dataclasses
import json
import random
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.store import KioskStore, Outbox, OutboxState, load_identity, save_identity
from kiosk.store.evaluations import Evaluations
from kiosk.store.models import OutboxItem
from kiosk.sync.backoff import Backoff
from kiosk.sync.catalog import CatalogCache
from kiosk.sync.client import ApiClient
from kiosk.sync.errors import TransientError
from kiosk.sync.service import SyncReport, SyncService, SyncSettings
from shared_schema import SubmissionState
from tests.support.chaos_proxy import Chaos, ChaosProxy
from tests.support.live_server import LiveServer
from tests.support.waiting import STUCK_S, wait_until

from .conftest import FAST, STATION, finalize_one
from .portal import Portal


def _server_rows(server: LiveServer, kiosk_id: str) -> list[tuple[str, str, str]]:
    return server.query(
        "SELECT CAST(client_uuid AS VARCHAR), receipt_no, state FROM submissions WHERE kiosk_id = :k",
        k=kiosk_id,
    )


def _point_at(store: KioskStore, url: str) -> None:
    save_identity(store.home, dataclasses.replace(load_identity(store.home), server_url=url))


def _uuid_hex(uuid: str) -> set[str]:
    return {uuid, uuid.replace("-", "")}  # SQLite stores a Uuid column as 32 hex digits


def test_push_acknowledges_routes_and_reports(
    enrolled: KioskStore, service: SyncService, server: LiveServer
) -> None:
    uuids = [finalize_one(enrolled, seed=100 + i, pages=1 + i) for i in range(3)]
    report = service.run_once()
    assert report.ok, report.error
    assert len(report.pushed.acknowledged) == 3 and report.pushed.blobs_uploaded == 6
    assert report.heartbeat and report.catalog_updated
    outbox = Outbox(enrolled)
    ident = load_identity(enrolled.home)
    rows = _server_rows(server, ident.kiosk_id)
    assert len(rows) == 3
    for uuid in uuids:
        assert outbox.get(uuid).state is OutboxState.routed  # routed by the server's engine
        manifest = outbox.manifest(uuid)
        for sha in manifest.page_hashes():
            assert server.blob(sha) == enrolled.pages.get(sha)
    beat = server.query(
        "SELECT queue_length, app_version FROM kiosk_heartbeats WHERE kiosk_id = :k", k=ident.kiosk_id
    )
    assert beat and beat[0][0] == 0
    assert CatalogCache(enrolled.home).source == "cache"


def test_lost_acknowledgement_is_replayed_not_duplicated(
    enrolled: KioskStore, service: SyncService, server: LiveServer
) -> None:
    uuid = finalize_one(enrolled, seed=110, pages=2)
    assert service.run_once().ok
    with enrolled.db.write() as s:  # as if the answer had been lost on the way back
        row = s.get(OutboxItem, uuid)
        row.state = OutboxState.finalized.value
    report = service.run_once()
    assert report.ok and report.pushed.acknowledged == [uuid]
    assert report.pushed.blobs_uploaded == 0 and report.pushed.blobs_skipped == 2
    assert len(_server_rows(server, load_identity(enrolled.home).kiosk_id)) == 1


def test_captive_portal_200_is_not_an_acknowledgement(
    enrolled: KioskStore, service: SyncService, server: LiveServer
) -> None:
    uuid = finalize_one(enrolled, seed=120, pages=1)
    receipt_no = Outbox(enrolled).get(uuid).receipt_no
    fake_ack = json.dumps(
        {"client_uuid": uuid, "receipt_no": receipt_no, "state": "acknowledged", "department_code": None,
         "received_at": "2026-01-01T00:00:00Z", "missing": []}
    ).encode()  # fmt: skip
    portals = [
        Portal(b"<html>Login to WiFi</html>", "text/html"),  # a captive portal
        Portal(fake_ack, secret="not-the-kiosk-secret"),  # signed, but not by our server
        Portal(fake_ack, upstream=server.url, intercept="/submissions"),  # a proxy faking only the commit
    ]
    for portal in portals:
        _point_at(enrolled, portal.url)
        try:
            report = service.run_once()
        finally:
            portal.close()
        assert not report.ok and "signature" in report.error
        assert portal.requests  # the portal was really asked
        assert Outbox(enrolled).get(uuid).state is OutboxState.finalized
    assert "POST /api/v1/submissions" in portals[-1].requests
    entry = Outbox(enrolled).get(uuid)
    assert entry.attempts >= 1 and "signature" in entry.last_error
    assert _server_rows(server, load_identity(enrolled.home).kiosk_id) == []
    _point_at(enrolled, server.url)
    assert service.run_once().pushed.acknowledged == [uuid]


def test_conflict_is_held_with_its_reason(
    enrolled: KioskStore, service: SyncService, server: LiveServer
) -> None:
    uuid = finalize_one(enrolled, seed=130, pages=1)
    assert service.run_once().ok
    outbox = Outbox(enrolled)
    changed = outbox.manifest(uuid).model_copy(update={"answers": {"changed": True}})
    enrolled.manifests.write(changed)  # same client UUID, different content
    with enrolled.db.write() as s:
        s.get(OutboxItem, uuid).state = OutboxState.finalized.value
    report = service.run_once()
    assert report.ok and uuid in report.pushed.failed
    entry = outbox.get(uuid)
    assert (
        entry.state is OutboxState.failed
        and "409" in entry.failure_reason
        and "conflict" in entry.failure_reason
    )
    assert outbox.manifest(uuid).answers == {"changed": True}  # kept for staff, not lost
    assert service.run_once().pushed.failed == {}  # never retried blindly
    assert len(_server_rows(server, load_identity(enrolled.home).kiosk_id)) == 1


def test_resume_after_a_dropped_upload(enrolled: KioskStore, server: LiveServer) -> None:
    uuid = finalize_one(enrolled, seed=140, pages=3, page_size=(400, 300))
    sizes = [enrolled.pages.path(h).stat().st_size for h in Outbox(enrolled).page_hashes(uuid)]
    host, port = server.url.removeprefix("http://").split(":")
    cut = min(sizes) // 2
    # one connection per request: /blobs/missing and the first page pass, the second is cut
    chaos = Chaos(cut_range=(cut, cut), seed=1)
    proxy = ChaosProxy((host, int(port)), chaos, script=["ok", "ok", "truncate"]).start()
    _point_at(enrolled, proxy.url)
    service = SyncService(enrolled, dataclasses.replace(FAST, request_tries=1))
    try:
        first = service.run_once()
        assert not first.ok and Outbox(enrolled).get(uuid).state is OutboxState.finalized
        proxy.chaos = Chaos()
        second = service.run_once()
    finally:
        proxy.stop()
    assert second.ok and second.pushed.acknowledged == [uuid]
    assert (second.pushed.blobs_skipped, second.pushed.blobs_uploaded) == (1, 2)  # resumed, not restarted
    assert proxy.stats.truncations >= 1
    assert len(_server_rows(server, load_identity(enrolled.home).kiosk_id)) == 1


def test_bandwidth_cap_is_roughly_respected(enrolled: KioskStore) -> None:
    def timed_sync(settings: SyncSettings) -> tuple[SyncReport, float]:
        start = time.monotonic()
        report = SyncService(enrolled, settings).run_once()
        return report, time.monotonic() - start

    # baseline: a like submission without a cap, in the same run (and under the same load)
    finalize_one(enrolled, seed=149, pages=3, page_size=(500, 400))
    uncapped, baseline = timed_sync(FAST)
    assert uncapped.ok
    uuid = finalize_one(enrolled, seed=150, pages=3, page_size=(500, 400))
    total = sum(enrolled.pages.path(h).stat().st_size for h in Outbox(enrolled).page_hashes(uuid))
    rate = total / 1.5  # the cap should make the pages take about 1.5 s
    report, elapsed = timed_sync(dataclasses.replace(FAST, bandwidth_bps=rate))
    assert report.ok and report.pushed.blob_bytes >= total * 0.9
    burst = max(rate / 4, 16 * 1024)
    assert elapsed >= (report.pushed.blob_bytes - burst) / rate * 0.9
    assert elapsed < 2 * baseline + 1.5 * 3  # throttled to the cap, not far below it


def test_status_feed_is_applied_once(enrolled: KioskStore, service: SyncService, server: LiveServer) -> None:
    from sync_server.db import get_db
    from sync_server.events import record_event
    from sync_server.models import Submission

    uuid = finalize_one(enrolled, seed=160, pages=1)
    assert service.run_once().ok
    with get_db(server.in_app()).transaction(write=True) as s:
        sub = s.scalars(
            select(Submission).where(Submission.receipt_no == Outbox(enrolled).get(uuid).receipt_no)
        ).one()
        record_event(s, sub, SubmissionState.accepted, "已受理（测试）", actor="test")
    report = service.run_once()
    assert report.ok and report.feed_changes == 1
    entry = Outbox(enrolled).get(uuid)
    assert entry.state is OutboxState.accepted and entry.last_message == "已受理（测试）"
    assert service.run_once().feed_changes == 0


def test_evaluations_are_sent_once(enrolled: KioskStore, service: SyncService, server: LiveServer) -> None:
    evaluations = Evaluations(enrolled)
    sent = evaluations.queue(5, station_code=STATION, comment="很方便")
    assert service.run_once().evaluations_sent == 1
    assert evaluations.pending() == []
    with enrolled.db.write() as s:  # send it again: the server recognises the uuid
        from kiosk.store.models import QueuedEvaluation

        s.get(QueuedEvaluation, str(sent.evaluation_uuid)).sent_at = None
    assert service.run_once().evaluations_sent == 1
    rows = server.query(
        "SELECT score FROM evaluations WHERE station_code = :s AND comment = '很方便'", s=STATION
    )
    assert rows == [(5,)]


def test_catalog_uses_etag_and_refuses_an_invalid_one(enrolled: KioskStore, service: SyncService) -> None:
    assert service.run_once().catalog_updated is True
    assert service.run_once().catalog_updated is False  # 304: unchanged
    cache = CatalogCache(enrolled.home)
    before = cache.path.read_bytes()
    ident = load_identity(enrolled.home)
    portal = Portal(b'{"version": "garbage"}', secret=ident.secret)  # signed, but not a catalog
    try:
        with pytest.raises(TransientError, match="does not validate"):
            cache.refresh(ApiClient(portal.url, ident))
    finally:
        portal.close()
    assert cache.path.read_bytes() == before


def test_catalog_travels_gzipped(enrolled: KioskStore, server: LiveServer) -> None:
    """The kiosk's client asks for gzip (requests does by default) and checks the signature
    over the decompressed body; ~150 KB of catalog crosses the village link as ~20 KB."""
    client = ApiClient(server.url, load_identity(enrolled.home))
    try:
        answer = client.call("GET", "/catalog")
    finally:
        client.close()
    assert answer.headers["Content-Encoding"] == "gzip" and answer.body["version"]["version"]
    assert len(answer.raw) > 100_000  # what the kiosk verified and parsed: the plain body


def test_revoked_kiosk_keeps_its_queue(
    enrolled: KioskStore, service: SyncService, server: LiveServer
) -> None:
    uuid = finalize_one(enrolled, seed=170, pages=1)
    server.revoke(load_identity(enrolled.home).kiosk_id)
    report = service.run_once()
    assert not report.ok and report.error.startswith("unauthorized")
    assert Outbox(enrolled).get(uuid).state is OutboxState.finalized


def test_unreachable_server_backs_off_and_stops_promptly(enrolled: KioskStore, tmp_path: Path) -> None:
    from kiosk.sync.worker import SyncWorker
    from tests.support.live_server import free_port

    finalize_one(enrolled, seed=180, pages=1)
    _point_at(enrolled, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    reports = []
    # a day's backoff after each failure: only trigger() (or stop()) ends a wait early
    settings = dataclasses.replace(FAST, cycle_base=86_400.0, cycle_cap=86_400.0)
    worker = SyncWorker(SyncService(enrolled, settings), on_report=reports.append).start()
    for n in range(1, 5):
        wait_until(lambda n=n: len(reports) >= n, f"failed sync report {n}")
        if n < 4:
            worker.trigger()
    worker.stop(timeout=STUCK_S)  # mid-backoff: stopping must not wait it out
    assert len(reports) >= 4 and all(not r.ok and "network" in r.error for r in reports[:4])
    state = worker.state()
    assert not state.running and not state.online and state.last_error


def test_missing_blobs_answer_makes_the_kiosk_upload_and_commit_again(
    enrolled: KioskStore, server: LiveServer
) -> None:
    """The server, not the kiosk's belief, decides what is missing (422 missing_blobs)."""
    from kiosk.sync.push import Pusher

    class Overconfident(Pusher):
        def _missing(self, hashes: list[str]) -> set[str]:
            return set()  # believe the server has every page already (e.g. a stale answer)

    uuid = finalize_one(enrolled, seed=190, pages=3)
    ident = load_identity(enrolled.home)
    pusher = Overconfident(Outbox(enrolled), enrolled.pages, ApiClient(server.url, ident), tries=2,
                           backoff=Backoff(0.01, 0.05), stop=threading.Event())  # fmt: skip
    report = pusher.run()
    assert report.acknowledged == [uuid] and report.blobs_uploaded == 3
    assert len(_server_rows(server, ident.kiosk_id)) == 1


def test_backoff_is_full_jitter_and_capped() -> None:
    backoff = Backoff(base=1.0, cap=8.0, rng=random.Random(4))
    ceilings, delays = [], []
    for _ in range(200):
        delays.append(backoff.next_delay())
        ceilings.append(backoff.ceiling())
    assert ceilings[:4] == [2.0, 4.0, 8.0, 8.0] and max(ceilings) == 8.0
    assert all(0 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    late = delays[10:]
    assert min(late) < 1.0 and max(late) > 7.0  # spread over the whole range, not clustered at the cap
    backoff.reset()
    assert backoff.ceiling() == 1.0


def test_heartbeat_reports_the_queue(enrolled: KioskStore, server: LiveServer) -> None:
    from kiosk.sync import heartbeat

    finalize_one(enrolled, seed=195, pages=1)
    ident = load_identity(enrolled.home)
    body = heartbeat.send(Outbox(enrolled), ApiClient(server.url, ident), "network down", "2024.06.01")
    assert body["queue_length"] == 1 and body["oldest_waiting_at"] and body["disk_free_bytes"] > 0
    row = server.query(
        "SELECT queue_length, last_error, catalog_version FROM kiosk_heartbeats WHERE kiosk_id = :k",
        k=ident.kiosk_id,
    )
    assert row == [(1, "network down", "2024.06.01")]


def test_a_refused_evaluation_is_kept_not_resent(enrolled: KioskStore, service: SyncService) -> None:
    evaluations = Evaluations(enrolled)
    evaluation = evaluations.queue(4, station_code="CQ0101")  # another station: 403 not_your_station
    report = service.run_once()
    assert report.ok and report.evaluations_sent == 0
    assert evaluations.pending() == [] and evaluations.pending_count() == 1
    from kiosk.store.models import QueuedEvaluation

    with enrolled.db.read() as s:
        row = s.get(QueuedEvaluation, str(evaluation.evaluation_uuid))
        assert row.attempts == 1 and row.last_error.startswith("refused:") and "403" in row.last_error
    service.run_once()
    with enrolled.db.read() as s:
        assert s.get(QueuedEvaluation, str(evaluation.evaluation_uuid)).attempts == 1
