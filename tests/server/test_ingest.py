"""Exactly-once ingest: replay, conflict, missing blobs, ownership, nothing half-written."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from shared_schema import SubmissionManifest
from sync_server.db import get_db
from sync_server.enrollment import KioskPrincipal
from sync_server.ingest import ingest_manifest
from sync_server.models import FeedEntry, RoutingDecision, Submission, SubmissionEvent, SubmissionPage
from sync_server.once import insert_or_reread

from .conftest import ApiClient, submit, upload
from .factories import make_manifest


def _counts(app) -> dict[str, int]:
    with get_db(app).transaction() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Submission, SubmissionPage, RoutingDecision, SubmissionEvent, FeedEntry)
        }


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
        winner = ingest_manifest(session, principal, manifest)
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

    original = ingest_module.publish

    def broken(session, events, kiosk_ids):
        original(session, events, kiosk_ids)
        session.flush()  # the submission, its pages, events, decision and feed rows are written
        raise RuntimeError("disk full")

    ingest_module.publish = broken
    try:
        with pytest.raises(RuntimeError), get_db(app).transaction(write=True) as session:
            ingest_manifest(session, principal, manifest)
    finally:
        ingest_module.publish = original
    assert set(_counts(app).values()) == {0}
    assert submit(client, kiosk, manifest).status_code == 201
    feed = client.get("/status-feed", kiosk).get_json()
    assert [e["seq"] for e in feed["events"]] == [1, 2]  # the rolled-back bump left no gap
