"""Status feed with a cursor, isolation between kiosks, pickup events, receipt status."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sync_server.db import get_db
from sync_server.errors import ApiError
from sync_server.events import record_event
from sync_server.models import Submission

from .conftest import enroll_kiosk, submit
from .factories import STATION_CHENGQU, make_manifest


def _submission(app, receipt_no):
    return lambda session: session.scalars(
        select(Submission).where(Submission.receipt_no == receipt_no)
    ).one()


def test_cursor_pages_through_own_events_only(app, client, kiosk, other_kiosk):
    mine = [make_manifest(kiosk.kiosk_id, seq=i) for i in range(1, 4)]
    for manifest, blobs in mine:
        assert submit(client, kiosk, manifest, blobs).status_code == 201
    theirs, blobs = make_manifest(other_kiosk.kiosk_id, STATION_CHENGQU, seq=9)
    submit(client, other_kiosk, theirs, blobs)
    page = client.get("/status-feed?after=0&limit=4", kiosk).get_json()
    assert [e["seq"] for e in page["events"]] == [1, 2, 3, 4] and page["next"] == 4
    rest = client.get(f"/status-feed?after={page['next']}", kiosk).get_json()
    assert [e["seq"] for e in rest["events"]] == [5, 6] and rest["next"] == 6
    assert client.get("/status-feed?after=6", kiosk).get_json() == {"events": [], "next": 6}
    events = page["events"] + rest["events"]
    assert {e["receipt_no"] for e in events} == {m.receipt_no for m, _ in mine}
    assert [e["state"] for e in events[:2]] == ["acknowledged", "routed"]
    other = client.get("/status-feed", other_kiosk).get_json()
    assert {e["receipt_no"] for e in other["events"]} == {theirs.receipt_no}
    assert client.get("/status-feed?after=-1", kiosk).status_code == 400
    assert client.get("/status-feed?after=x", kiosk).status_code == 400


def test_workspace_events_and_pickup_reach_the_station(app, client, kiosk):
    neighbour = enroll_kiosk(app)  # another kiosk at the same station
    manifest, blobs = make_manifest(kiosk.kiosk_id)
    submit(client, kiosk, manifest, blobs)
    find = _submission(app, manifest.receipt_no)
    with get_db(app).transaction(write=True) as session:
        row = find(session)
        record_event(session, row, "accepted", actor="reviewer-1")
        record_event(
            session,
            row,
            "completed",
            "办理结果已寄到南村镇便民服务中心，请凭受理编号领取",
            {"result": "paper"},
            pickup_station=kiosk.station_code,
        )
        with pytest.raises(ApiError) as info:
            record_event(session, row, "routed")
        assert info.value.status == 409
    with get_db(app).transaction() as session:
        row = find(session)
        assert row.accepted_at is not None and row.completed_at is not None and row.state == "completed"
    feed = client.get("/status-feed", kiosk).get_json()["events"]
    assert [e["state"] for e in feed] == ["acknowledged", "routed", "accepted", "completed"]
    assert feed[-1]["detail"] == {"result": "paper", "pickup_station": kiosk.station_code}
    neighbour_feed = client.get("/status-feed", neighbour).get_json()["events"]
    assert [(e["seq"], e["state"]) for e in neighbour_feed] == [(1, "completed")]


def test_receipt_status_without_personal_data(client, kiosk, other_kiosk):
    manifest, blobs = make_manifest(kiosk.kiosk_id, name="李四")
    submit(client, kiosk, manifest, blobs)
    response = client.get(f"/submissions/{manifest.receipt_no}/status", kiosk)
    body = response.get_json()
    assert body["state"] == "routed" and [e["state"] for e in body["events"]] == ["acknowledged", "routed"]
    text = response.get_data(as_text=True)
    assert "李四" not in text and manifest.applicant.id_number not in text and "13800138000" not in text
    assert client.get(f"/submissions/{manifest.receipt_no}/status", other_kiosk).status_code == 404
    assert client.get("/submissions/ST01-K1-20260101-0001/status", kiosk).status_code == 404
    malformed = client.get("/submissions/NOPE/status", kiosk)  # can be no receipt number at all
    assert malformed.status_code == 400 and malformed.get_json()["details"] == {"parameter": "receipt_no"}
