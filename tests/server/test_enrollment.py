"""Enrollment codes (one-time, expiring), authentication, revocation, signed answers."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import update

from sync_server.db import get_db, utcnow
from sync_server.enrollment import create_code, revoke
from sync_server.models import EnrollmentCode, Kiosk

from .factories import STATION_ZEZHOU


def _code(app, ttl=timedelta(hours=1), now=None):
    with get_db(app).transaction(write=True) as session:
        return create_code(session, STATION_ZEZHOU, ttl, now=now)


def test_enroll_once_and_store_only_hashes(app, client):
    code = _code(app)
    response = client.post("/enroll", json={"code": code.lower(), "name": "一号机", "profile": "virtual"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["station_code"] == STATION_ZEZHOU and len(body["kiosk_id"]) <= 8
    from shared_schema.protocol import SIGNATURE_HEADER, verify

    assert verify(body["secret"], response.get_data(), response.headers[SIGNATURE_HEADER])
    with get_db(app).transaction() as session:
        kiosk = session.get(Kiosk, body["kiosk_id"])
        assert kiosk.secret_hash != body["secret"] and body["secret"] not in kiosk.secret_hash
        stored = session.query(EnrollmentCode).one()
        assert code.replace("-", "") not in stored.code_hash and stored.used_at is not None
    again = client.post("/enroll", json={"code": code})
    assert again.status_code == 404 and again.get_json()["error"] == "code_spent"


def test_expired_and_unknown_codes(app, client):
    code = _code(app, ttl=timedelta(minutes=5), now=utcnow() - timedelta(hours=1))
    response = client.post("/enroll", json={"code": code})
    assert response.status_code == 404 and response.get_json()["error"] == "code_expired"
    response = client.post("/enroll", json={"code": "AAAA-BBBB-CCCC-DDDD"})
    assert response.status_code == 404 and response.get_json()["error"] == "unknown_code"
    assert response.get_json()["message_zh"]


def test_enroll_bad_bodies(client):
    assert client.post("/enroll", data=b"{nope", content_type="application/json").status_code == 400
    response = client.post("/enroll", json={"name": 5})
    assert response.status_code == 422
    paths = {p["path"] for p in response.get_json()["details"]["problems"]}
    assert paths == {"code", "name"}


def test_auth_failures(app, client, kiosk):
    assert client.get("/catalog").get_json()["error"] == "auth_required"
    bad = {"Authorization": f"Bearer {kiosk.kiosk_id}:wrong"}
    response = client.get("/catalog", headers=bad)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    assert client.get("/catalog", headers={"Authorization": "Bearer KNOPE:x"}).status_code == 401
    assert client.get("/catalog", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get("/catalog", kiosk).status_code == 200
    with get_db(app).transaction(write=True) as session:
        revoke(session, kiosk.kiosk_id)
    response = client.get("/catalog", kiosk)
    assert response.status_code == 401 and response.get_json()["error"] == "kiosk_revoked"


def test_enroll_unknown_station(app):
    import pytest

    from sync_server.errors import ApiError

    with pytest.raises(ApiError) as info, get_db(app).transaction(write=True) as session:
        create_code(session, "NOPE1", timedelta(hours=1))
    assert info.value.status == 404


def test_cached_check_never_admits_a_wrong_secret_and_expires(app, client, kiosk, other_kiosk):
    """Verified secrets are trusted for AUTH_CACHE_SECONDS; a revocation made by another
    process (here: straight in the database, no ``revoke()``) takes effect within it."""
    app.config["AUTH_CACHE_SECONDS"] = 0.5
    assert client.get("/catalog", kiosk).status_code == 200  # verified and cached
    wrong = {"Authorization": f"Bearer {kiosk.kiosk_id}:{other_kiosk.secret}"}
    assert client.get("/catalog", headers=wrong).get_json()["error"] == "unknown_kiosk"
    with get_db(app).transaction(write=True) as session:
        session.execute(update(Kiosk).where(Kiosk.kiosk_id == kiosk.kiosk_id).values(revoked_at=utcnow()))
    time.sleep(0.6)
    response = client.get("/catalog", kiosk)
    assert response.status_code == 401 and response.get_json()["error"] == "kiosk_revoked"
