"""Exactly-once ingest: replay, conflict, missing blobs, ownership, nothing half-written."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from shared_schema import SubmissionManifest
from sync_server.blobs import HeldBlob, held_blobs
from sync_server.blobstore import get_store
from sync_server.db import get_db
from sync_server.enrollment import KioskPrincipal
from sync_server.ingest import ingest_manifest
from sync_server.models import (
    Blob,
    FeedEntry,
    RoutingDecision,
    Submission,
    SubmissionEvent,
    SubmissionLookup,
    SubmissionPage,
)
from sync_server.once import insert_or_reread

from .conftest import ApiClient, submit, upload
from .factories import make_manifest


def _counts(app) -> dict[str, int]:
    with get_db(app).transaction() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Submission, SubmissionPage, RoutingDecision, SubmissionEvent, FeedEntry)
        }


def _held(app, manifest: SubmissionManifest) -> dict[str, HeldBlob]:
    return held_blobs(get_store(app), manifest.page_hashes())


def test_commit_replay_and_conflict(app, client, kiosk):
    manifest, blobs = make_manifest(kiosk.kiosk_id)
    first = submit(client, kiosk, manifest, blobs)
    assert first.status_code == 201, first.get_json()
    ack = first.get_json()
    assert ack["receipt_no"] == manifest.receipt_no and ack["state"] == "routed"
    assert ack["department_code"] == "SB-140521"
    before = _counts(app)
    replay = client.post("/submissions", kiosk, json=manifest.model_dump(mode="json"))
    assert replay.status_code == 200 and replay.get_data() == first.get_data()
    assert _counts(app) == before
    changed = manifest.model_copy(update={"answers": {"has_agent": True}})
    conflict = client.post("/submissions", kiosk, json=changed.model_dump(mode="json"))
    assert conflict.status_code == 409 and conflict.get_json()["error"] == "conflict"
    other_uuid = manifest.model_copy(update={"client_uuid": uuid.uuid4()})
    taken = client.post("/submissions", kiosk, json=other_uuid.model_dump(mode="json"))
    assert taken.status_code == 409 and taken.get_json()["error"] == "receipt_conflict"
    assert _counts(app) == before


def test_missing_blobs_lists_exactly_and_stores_nothing(app, client, kiosk):
    manifest, blobs = make_manifest(kiosk.kiosk_id, pages=None)
    hashes = list(blobs)
    upload(client, kiosk, {hashes[0]: blobs[hashes[0]]})
    response = client.post("/submissions", kiosk, json=manifest.model_dump(mode="json"))
    body = response.get_json()
    assert response.status_code == 422 and body["error"] == "missing_blobs"
    assert body["details"]["missing"] == hashes[1:] == body["missing"]
    assert set(_counts(app).values()) == {0}
    upload(client, kiosk, {hashes[1]: blobs[hashes[1]]})
    assert client.post("/submissions", kiosk, json=manifest.model_dump(mode="json")).status_code == 201


def test_schema_errors_name_every_field(client, kiosk):
    manifest, _ = make_manifest(kiosk.kiosk_id)
    data = manifest.model_dump(mode="json")
    data["applicant"]["id_number"] = "140521199805171230"
    data["applicant"]["phone"] = "12"
    data["receipt_no"] = "bad"
    del data["promise"]
    response = client.post("/submissions", kiosk, json=data)
    assert response.status_code == 422
    paths = {p["path"] for p in response.get_json()["details"]["problems"]}
    assert paths == {"applicant.id_number", "applicant.phone", "receipt_no", "promise"}
    bad = client.post("/submissions", kiosk, data=b'{"client_uuid": ', content_type="application/json")
    assert bad.status_code == 400 and bad.get_json()["error"] == "malformed_json"


def test_only_own_kiosk_and_station(client, kiosk, other_kiosk):
    manifest, blobs = make_manifest(other_kiosk.kiosk_id, other_kiosk.station_code)
    upload(client, kiosk, blobs)
    response = client.post("/submissions", kiosk, json=manifest.model_dump(mode="json"))
    assert response.status_code == 403 and response.get_json()["error"] == "not_your_kiosk"
    wrong_station = make_manifest(kiosk.kiosk_id, other_kiosk.station_code)[0]
    assert client.post("/submissions", kiosk, json=wrong_station.model_dump(mode="json")).status_code == 403


def test_concurrent_commits_make_one_row(app, kiosk):
    manifest, blobs = make_manifest(kiosk.kiosk_id)
    upload(ApiClient(app), kiosk, blobs)
    results: list[tuple[int, bytes]] = []
    barrier = threading.Barrier(4)

    def post() -> None:
        client = ApiClient(app)
        barrier.wait()
        response = client.post("/submissions", kiosk, json=manifest.model_dump(mode="json"))
        results.append((response.status_code, response.get_data()))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(code for code, _ in results) == [200, 200, 200, 201]
    assert len({body for _, body in results}) == 1
    assert _counts(app)["submissions"] == 1


def test_race_loser_rereads_the_winner(app, kiosk):
    """Force the IntegrityError path: the row appears between our look-up and our insert."""
    manifest, blobs = make_manifest(kiosk.kiosk_id)
    upload(ApiClient(app), kiosk, blobs)
    principal = KioskPrincipal(kiosk.kiosk_id, kiosk.station_code, kiosk.secret)
    with get_db(app).transaction(write=True) as session:
        winner = ingest_manifest(session, principal, manifest, _held(app, manifest))
    with get_db(app).transaction(write=True) as session:

        def find() -> Submission | None:
            return session.scalars(
                select(Submission).where(Submission.client_uuid == manifest.client_uuid)
            ).first()

        def create() -> Submission:
            return _clone_submission(session, manifest)

        row, created = insert_or_reread(session, find, create)
        assert not created and row.ack_body == winner.ack_body
    assert _counts(app)["submissions"] == 1


def _clone_submission(session, manifest: SubmissionManifest) -> Submission:
    from sync_server.db import utcnow

    row = Submission(
        client_uuid=manifest.client_uuid,
        receipt_no=manifest.receipt_no,
        kiosk_id=manifest.kiosk_id,
        station_code=manifest.station_code,
        matter_code=manifest.matter_code,
        catalog_version="x",
        applicant_kind="person",
        applicant_name="x",
        applicant_phone="1",
        home_division="140521",
        delivery_method="pickup",
        manifest={},
        content_digest="x",
        state="acknowledged",
        ack_body="",
        collected_at=utcnow(),
        transfer_due=utcnow().date(),
    )
    session.add(row)
    return row


def test_error_midway_rolls_back_everything(app, client, kiosk):
    """A failure after rows were written (here: publishing to the feed) leaves no trace."""
    manifest, blobs = make_manifest(kiosk.kiosk_id)
    upload(client, kiosk, blobs)
    principal = KioskPrincipal(kiosk.kiosk_id, kiosk.station_code, kiosk.secret)
    import sync_server.ingest as ingest_module

    original = ingest_module._write

    def broken(connection, submission, blobs):
        original(connection, submission, blobs)  # submission, pages, decision, events, feed rows written
        assert connection.exec_driver_sql("SELECT count(*) FROM feed_entries").scalar() == 2
        raise RuntimeError("disk full")

    ingest_module._write = broken
    try:
        with pytest.raises(RuntimeError), get_db(app).transaction(write=True) as session:
            ingest_manifest(session, principal, manifest, _held(app, manifest))
    finally:
        ingest_module._write = original
    assert set(_counts(app).values()) == {0}
    assert submit(client, kiosk, manifest).status_code == 201
    feed = client.get("/status-feed", kiosk).get_json()
    assert [e["seq"] for e in feed["events"]] == [1, 2]  # the rolled-back bump left no gap


def _stored(app, receipt_no: str) -> dict[str, object]:
    """A submission's rows without ids, UUIDs, times or anything else unique to it."""
    with get_db(app).transaction() as session:
        sub = session.scalars(select(Submission).where(Submission.receipt_no == receipt_no)).one()
        feed = session.execute(
            select(FeedEntry.kiosk_id, FeedEntry.seq, SubmissionEvent.state)
            .join(SubmissionEvent, SubmissionEvent.id == FeedEntry.event_id)
            .where(SubmissionEvent.submission_id == sub.id)
            .order_by(FeedEntry.seq)
        ).all()
        return {
            "columns": {k: getattr(sub, k) for k in ("kiosk_id", "station_code", "matter_code", "state",
                                                      "department_code", "source", "transfer_due")},
            "timestamps_set": [k for k in ("received_at", "transferred_at", "updated_at") if getattr(sub, k)],
            "pages": [(p.position, p.material_index, p.page_index, p.requirement_code) for p in sub.pages],
            "blobs": [(b.size == page["size"], b.content_type, b.created_at == sub.received_at)
                      for b, page in zip(session.scalars(
                          select(Blob).join(SubmissionPage, SubmissionPage.sha256 == Blob.sha256)
                          .where(SubmissionPage.submission_id == sub.id).order_by(SubmissionPage.position)),
                          [pg for m in sub.manifest["materials"] for pg in m["pages"]], strict=True)],
            "decisions": [(d.department_code, d.rule, d.reason_zh, d.decided_by) for d in sub.decisions],
            "events": [(e.state, e.message_zh, e.detail, e.actor) for e in sub.events],
            "feed_states": [state for _kiosk, _seq, state in feed],
            "feed_kiosks": {kiosk for kiosk, _seq, _state in feed},
            "seq_gap_free": [seq for _k, seq, _s in feed] == list(range(feed[0][1], feed[0][1] + len(feed))),
            "id_digest": session.get(SubmissionLookup, sub.id).id_digest,  # the workspace's search index
        }  # fmt: skip


@pytest.mark.parametrize("matter", ["140500-SB-001", "140500-XX-001"])
def test_postgresql_one_statement_write_equals_the_portable_one(app, client, kiosk, monkeypatch, matter):
    """PostgreSQL writes a new submission in one statement (ingest_pg); SQLite with Core
    inserts (ingest_rows). Both must store exactly the same rows."""
    if get_db(app).is_sqlite:
        pytest.skip("the one-statement write is PostgreSQL's")
    import sync_server.ingest as ingest_module
    from sync_server.events import publish_ids
    from sync_server.ingest_rows import insert_submission

    stored = []
    for seq, portable in ((1, False), (2, True)):
        if portable:
            monkeypatch.setattr(
                ingest_module.ingest_pg,
                "write",
                lambda conn, sub, kiosk_id, digest, blob_rows: publish_ids(
                    conn, insert_submission(conn, sub, digest, blob_rows), [kiosk_id]
                ),
            )
        manifest, blobs = make_manifest(kiosk.kiosk_id, seq=seq, matter_code=matter)
        assert submit(client, kiosk, manifest, blobs).status_code == 201
        stored.append(_stored(app, manifest.receipt_no))
    assert stored[0] == stored[1]
    assert stored[0]["feed_states"] == ["acknowledged", "routed"] and stored[0]["seq_gap_free"]
