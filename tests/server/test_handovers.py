"""送达 at the station (POST /handovers) and the rating at handling (POST /evaluations, stage handle).

Through the real API on SQLite and PostgreSQL: exactly once per uuid (replay → the same
signed bytes, other content → 409), a case delivered once (409 already_delivered), only
completed pickup cases of the kiosk's own station, the recipient checked against the
applicant by masked ID, and the rating tied to the case's department.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from shared_schema import SubmissionState as S
from shared_schema.handover import masked_id
from shared_schema.protocol import API_PREFIX
from sync_server.db import get_db
from sync_server.events import record_event
from sync_server.models import Evaluation, Handover, Submission

from .conftest import ApiClient, KioskCreds, submit
from .factories import make_manifest

HANDED_AT = datetime(2026, 1, 20, 9, 15, tzinfo=UTC)


def _case(
    app: Flask, client: ApiClient, kiosk: KioskCreds, seq: int, *, until: S | None, pickup: bool = True
):
    """A case collected by ``kiosk``, moved on to ``until`` (completed: for pickup or by mail)."""
    manifest, blobs = make_manifest(kiosk.kiosk_id, kiosk.station_code, seq=seq)
    assert submit(client, kiosk, manifest, blobs).status_code == 201
    with get_db(app).transaction(write=True) as session:
        sub = session.scalars(select(Submission).where(Submission.receipt_no == manifest.receipt_no)).one()
        if until in {S.accepted, S.completed}:
            record_event(session, sub, S.accepted, actor="rev_a")
        if until is S.completed:
            station = kiosk.station_code if pickup else None
            detail = {"action": "complete", "delivery": "pickup" if pickup else "mail"}
            record_event(session, sub, S.completed, detail=detail, actor="rev_a", pickup_station=station)
    return manifest


def _handover(manifest: Any, kiosk: KioskCreds, **over: Any) -> dict[str, Any]:
    body = {
        "handover_uuid": str(uuid.uuid4()),
        "receipt_no": manifest.receipt_no,
        "station_code": kiosk.station_code,
        "handed_by": "李明",
        "handed_to": manifest.applicant.name,
        "identity_check": "id_card_reader",
        "id_number_masked": masked_id(manifest.applicant.id_number),
        "handed_at": HANDED_AT.isoformat(),
    }
    return {**body, **over}


def _state(app: Flask, receipt_no: str) -> tuple[str, datetime | None]:
    with get_db(app).transaction() as session:
        sub = session.scalars(select(Submission).where(Submission.receipt_no == receipt_no)).one()
        return sub.state, sub.delivered_at


def test_a_handover_delivers_the_case_exactly_once(app, client, kiosk):
    manifest = _case(app, client, kiosk, 1, until=S.completed)
    body = _handover(manifest, kiosk)
    first = client.post("/handovers", kiosk, json=body)
    assert first.status_code == 201, first.get_json()
    ack = first.get_json()
    assert ack["state"] == "delivered" and ack["receipt_no"] == manifest.receipt_no
    assert _state(app, manifest.receipt_no) == ("delivered", HANDED_AT)  # 送达 time is the kiosk's

    replay = client.post("/handovers", kiosk, json=body)  # the ack was lost: same signed bytes
    assert replay.status_code == 200 and replay.get_data() == first.get_data()

    changed = client.post("/handovers", kiosk, json={**body, "handed_to": "王五"})
    assert changed.status_code == 409 and changed.get_json()["error"] == "conflict"

    again = client.post("/handovers", kiosk, json=_handover(manifest, kiosk))  # a second handover
    assert again.status_code == 409
    refused = again.get_json()
    assert refused["error"] == "already_delivered" and "不能重复交付" in refused["message_zh"]
    assert refused["details"]["handover_uuid"] == body["handover_uuid"]

    with get_db(app).transaction() as session:
        rows = session.scalars(select(Handover)).all()
        assert [(r.handed_by, r.handed_to, r.identity_check) for r in rows] == [
            ("李明", manifest.applicant.name, "id_card_reader")
        ]
        assert rows[0].id_number_masked == masked_id(manifest.applicant.id_number)
        assert "*" * 10 in rows[0].id_number_masked  # never the full number

    events = client.get("/status-feed?after=0", kiosk).get_json()["events"]
    delivered = [e for e in events if e["state"] == "delivered"]
    assert len(delivered) == 1
    assert set(delivered[0]["detail"]) == {"action", "how", "handover"}  # no personal data in the feed


def test_only_a_completed_pickup_case_can_be_handed_over(app, client, kiosk):
    routed = _case(app, client, kiosk, 2, until=None)
    answer = client.post("/handovers", kiosk, json=_handover(routed, kiosk))
    assert answer.status_code == 409 and answer.get_json()["error"] == "not_completed"
    assert "尚未办结" in answer.get_json()["message_zh"]

    mailed = _case(app, client, kiosk, 3, until=S.completed, pickup=False)
    answer = client.post("/handovers", kiosk, json=_handover(mailed, kiosk))
    assert answer.status_code == 409 and answer.get_json()["error"] == "not_for_pickup"

    unknown = _handover(routed, kiosk, receipt_no=routed.receipt_no[:-4] + "9999")
    assert client.post("/handovers", kiosk, json=unknown).status_code == 404
    assert _state(app, routed.receipt_no)[0] == "routed" and _state(app, mailed.receipt_no)[0] == "completed"


def test_a_kiosk_hands_over_only_at_its_own_station(app, client, kiosk, other_kiosk):
    manifest = _case(app, client, kiosk, 4, until=S.completed)
    theirs = client.post("/handovers", other_kiosk, json=_handover(manifest, other_kiosk))
    assert theirs.status_code == 403 and theirs.get_json()["error"] == "not_your_station"
    posing = client.post("/handovers", other_kiosk, json=_handover(manifest, kiosk))  # names our station
    assert posing.status_code == 403
    assert _state(app, manifest.receipt_no) == ("completed", None)


def test_the_recipient_must_be_the_applicant(app, client, kiosk):
    manifest = _case(app, client, kiosk, 5, until=S.completed)
    wrong = _handover(manifest, kiosk, id_number_masked="1101**********0011")
    answer = client.post("/handovers", kiosk, json=wrong)
    assert answer.status_code == 409 and answer.get_json()["error"] == "identity_mismatch"
    full = _handover(manifest, kiosk, id_number_masked=manifest.applicant.id_number)  # unmasked: refused
    assert client.post("/handovers", kiosk, json=full).status_code == 422
    assert _state(app, manifest.receipt_no)[0] == "completed"


def _rating(manifest: Any, kiosk: KioskCreds, **over: Any) -> dict[str, Any]:
    body = {
        "evaluation_uuid": str(uuid.uuid4()),
        "receipt_no": manifest.receipt_no,
        "station_code": kiosk.station_code,
        "at_stage": "handle",
        "score": 4,
        "reasons": ["fast", "helpful_staff"],
        "created_at": (HANDED_AT + timedelta(minutes=2)).isoformat(),
    }
    return {**body, **over}


def test_a_rating_at_handling_is_tied_to_the_case_and_given_once(app, client, kiosk):
    manifest = _case(app, client, kiosk, 6, until=S.completed)
    assert client.post("/handovers", kiosk, json=_handover(manifest, kiosk)).status_code == 201
    body = _rating(manifest, kiosk)
    assert client.post("/evaluations", kiosk, json=body).status_code == 201
    assert client.post("/evaluations", kiosk, json=body).status_code == 200  # replay
    second = client.post("/evaluations", kiosk, json=_rating(manifest, kiosk, score=1))
    assert second.status_code == 409 and second.get_json()["error"] == "already_rated"  # 一事一评
    with get_db(app).transaction() as session:
        sub = session.scalars(select(Submission).where(Submission.receipt_no == manifest.receipt_no)).one()
        rows = session.scalars(select(Evaluation)).all()
        assert [(r.at_stage, r.score, r.reasons, r.department_code) for r in rows] == [
            ("handle", 4, ["fast", "helpful_staff"], sub.department_code)
        ]
        assert sub.department_code  # routed: the rating names the deciding department

    unknown = _rating(manifest, kiosk, receipt_no=manifest.receipt_no[:-4] + "9998")
    assert client.post("/evaluations", kiosk, json=unknown).status_code == 404
    nameless = _rating(manifest, kiosk, receipt_no=None)
    assert client.post("/evaluations", kiosk, json=nameless).status_code == 422


def test_an_older_kiosk_rating_without_a_stage_is_a_rating_at_collection(app, client, kiosk):
    body = {
        "evaluation_uuid": str(uuid.uuid4()),
        "receipt_no": None,
        "station_code": kiosk.station_code,
        "score": 5,
        "comment": "很方便",
        "created_at": HANDED_AT.isoformat(),
    }
    assert client.post("/evaluations", kiosk, json=body).status_code == 201
    legacy = {**body, "evaluation_uuid": str(uuid.uuid4()), "at_stage": "collect"}
    assert client.post("/evaluations", kiosk, json=legacy).status_code == 201
    with get_db(app).transaction() as session:
        assert {r.at_stage for r in session.scalars(select(Evaluation))} == {"collect"}


def _race(app: Flask, kiosk: KioskCreds, bodies: list[dict[str, Any]]) -> list[tuple[int, bytes, str | None]]:
    """POST ``bodies`` to /handovers at the same moment, one thread each."""
    start = threading.Barrier(len(bodies))

    def post(body: dict[str, Any]) -> tuple[int, bytes, str | None]:
        http = app.test_client()
        start.wait()
        answer = http.post(f"{API_PREFIX}/handovers", json=body, headers=kiosk.headers)
        return answer.status_code, answer.data, (answer.get_json() or {}).get("error")

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


def test_a_retry_racing_its_original_gets_the_same_acknowledgement(app, client, kiosk):
    manifest = _case(app, client, kiosk, 7, until=S.completed)
    body = _handover(manifest, kiosk)
    results = _race(app, kiosk, [body] * 3)
    assert sorted(code for code, _, _ in results) == [200, 200, 201]
    assert len({answer for _, answer, _ in results}) == 1  # the same signed bytes to all


def test_two_handovers_of_one_case_racing_deliver_it_once(app, client, kiosk):
    manifest = _case(app, client, kiosk, 9, until=S.completed)
    results = _race(app, kiosk, [_handover(manifest, kiosk), _handover(manifest, kiosk, handed_by="王芳")])
    assert sorted((code, error) for code, _, error in results) == [(201, None), (409, "already_delivered")]
    with get_db(app).transaction() as session:
        sub = session.scalars(select(Submission).where(Submission.receipt_no == manifest.receipt_no)).one()
        assert len(session.scalars(select(Handover).where(Handover.submission_id == sub.id)).all()) == 1
        assert [e.state for e in sub.events].count("delivered") == 1
