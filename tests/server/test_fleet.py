"""Catalog ETag, heartbeats and the stale list, evaluations exactly once."""

from __future__ import annotations

import gzip
import uuid
from datetime import timedelta

from shared_schema.protocol import API_PREFIX, SIGNATURE_HEADER, verify
from sync_server.catalog_sync import load_catalog_into
from sync_server.db import get_db, utcnow
from sync_server.fleet import kiosk_overview

from .factories import STATION_CHENGQU, make_catalog


def test_catalog_etag(app, client, kiosk, restore_catalog):
    first = client.get("/catalog", kiosk)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"2026.01.01-')
    assert first.get_json()["version"]["version"] == "2026.01.01"
    cached = client.get("/catalog", kiosk, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.get_data() == b""
    with get_db(app).transaction(write=True) as session:
        load_catalog_into(session, make_catalog("2026.02.01"))
    fresh = client.get("/catalog", kiosk, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    assert fresh.get_json()["version"]["version"] == "2026.02.01"


def test_catalog_gzip_signed_over_the_plain_body(app, client, kiosk):
    plain = client.get("/catalog", kiosk)
    assert "Content-Encoding" not in plain.headers and plain.headers["Vary"] == "Accept-Encoding"
    headers = {**kiosk.headers, "Accept-Encoding": "br;q=0.5, gzip"}
    packed = client.flask.get(API_PREFIX + "/catalog", headers=headers)
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(packed.get_data())
    assert body == plain.get_data() and len(packed.get_data()) < len(body) / 3
    assert verify(kiosk.secret, body, packed.headers[SIGNATURE_HEADER])
    refused = client.flask.get(API_PREFIX + "/catalog", headers={**headers, "Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers and refused.get_data() == body


def test_heartbeat_and_stale_list(app, client, kiosk, other_kiosk):
    beat = {
        "queue_length": 3,
        "oldest_waiting_at": "2026-01-05T10:00:00+08:00",
        "last_error": "timeout",
        "disk_free_bytes": 10_000_000,
        "app_version": "0.1.0",
        "catalog_version": "2026.01.01",
    }
    assert client.post("/heartbeat", kiosk, json=beat).status_code == 200
    beat["queue_length"] = 0
    assert client.post("/heartbeat", kiosk, json=beat).get_json()["kiosk_id"] == kiosk.kiosk_id
    bad = client.post("/heartbeat", kiosk, json={"queue_length": -1})
    assert bad.status_code == 422
    with get_db(app).transaction() as session:
        rows = {r["kiosk_id"]: r for r in kiosk_overview(session, None)}
        assert (
            rows[kiosk.kiosk_id]["queue_length"] == 0
            and rows[other_kiosk.kiosk_id]["last_heartbeat_at"] is None
        )
        stale = [r["kiosk_id"] for r in kiosk_overview(session, timedelta(hours=2))]
        assert stale == [other_kiosk.kiosk_id]
        later = [
            r["kiosk_id"] for r in kiosk_overview(session, timedelta(hours=2), utcnow() + timedelta(hours=3))
        ]
        assert sorted(later) == sorted([kiosk.kiosk_id, other_kiosk.kiosk_id])


def test_evaluation_once(client, kiosk):
    evaluation = {
        "evaluation_uuid": str(uuid.uuid4()),
        "receipt_no": None,
        "station_code": kiosk.station_code,
        "at_stage": "collect",
        "score": 5,
        "comment": "很方便",
        "created_at": "2026-01-05T10:00:00+08:00",
    }
    first = client.post("/evaluations", kiosk, json=evaluation)
    assert first.status_code == 201
    again = client.post("/evaluations", kiosk, json=evaluation)
    assert again.status_code == 200 and again.get_data() == first.get_data()
    changed = client.post("/evaluations", kiosk, json={**evaluation, "score": 1})
    assert changed.status_code == 409
    elsewhere = client.post(
        "/evaluations",
        kiosk,
        json={**evaluation, "evaluation_uuid": str(uuid.uuid4()), "station_code": STATION_CHENGQU},
    )
    assert elsewhere.status_code == 403
