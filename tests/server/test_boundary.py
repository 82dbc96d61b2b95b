"""Bad input at the API boundary is a clear 4xx on SQLite and PostgreSQL, never a 500.

One test per finding of the issue-10 fuzzing (schemathesis and a signing fuzzer), each
failing before the request models carried the columns' bounds: integers past their column,
timestamps without a zone or at the calendar's edges, JSON nested 100,000 deep, NUL in any
stored string, strings longer than their column, ``limit=0``, 405 without ``Allow``,
non-JSON errors, manifests sent as ``text/plain``. Each also checks the value just inside
the bound is stored, so a bound cannot be made tighter than the column by accident.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shared_schema.bounds import (
    CATALOG_VERSION_LEN,
    EARLIEST,
    INT32_MAX,
    INT64_MAX,
    LATEST,
    MATTER_CODE_LEN,
    REQUIREMENT_CODE_LEN,
)
from shared_schema.protocol import API_PREFIX
from sync_server.api.body import MAX_DEPTH
from sync_server.api.params import FEED_AFTER, FEED_LIMIT, MAX_URL_BYTES
from sync_server.db import get_db
from sync_server.models import Evaluation, KioskHeartbeat, Submission

from .conftest import upload
from .factories import make_manifest

BEAT = {"queue_length": 0, "app_version": "1.0"}


def _problems(response: Any) -> list[str]:
    assert response.status_code == 422, response.get_json()
    return [p["path"] for p in response.get_json()["details"]["problems"]]


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    node: Any = data
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[last] = value
    return data


def _stored_submissions(app: Any) -> int:
    with get_db(app).transaction() as session:
        return len(session.scalars(select(Submission.id)).all())


def _manifest_with(client: Any, kiosk: Any, path: str, value: Any, seq: int = 1) -> Any:
    manifest, blobs = make_manifest(kiosk.kiosk_id, seq=seq)
    upload(client, kiosk, blobs)
    data = _set(manifest.model_dump(mode="json"), path, value)
    return client.post("/submissions", kiosk, json=data)


def _evaluation(kiosk: Any, **changes: Any) -> dict[str, Any]:
    return {
        "evaluation_uuid": str(uuid.uuid4()),
        "receipt_no": None,
        "station_code": kiosk.station_code,
        "score": 4,
        "created_at": "2026-01-05T10:00:00+08:00",
        **changes,
    }


# -- integers past their column -------------------------------------------------------------


@pytest.mark.parametrize(("field", "largest"), [("queue_length", INT32_MAX), ("disk_free_bytes", INT64_MAX)])
def test_heartbeat_integers_fit_their_columns(app, client, kiosk, field, largest):
    for too_big in (largest + 1, 2**63, 2**64):
        assert _problems(client.post("/heartbeat", kiosk, json={**BEAT, field: too_big})) == [field]
    assert client.post("/heartbeat", kiosk, json={**BEAT, field: largest}).status_code == 200
    with get_db(app).transaction() as session:
        assert getattr(session.get(KioskHeartbeat, kiosk.kiosk_id), field) == largest


# -- timestamps ------------------------------------------------------------------------------


def test_timestamps_without_a_timezone_are_refused(client, kiosk):
    naive = "2026-01-05T10:00:00"
    assert _problems(client.post("/heartbeat", kiosk, json={**BEAT, "oldest_waiting_at": naive})) == [
        "oldest_waiting_at"
    ]
    assert _problems(client.post("/evaluations", kiosk, json=_evaluation(kiosk, created_at=naive))) == [
        "created_at"
    ]
    assert _problems(_manifest_with(client, kiosk, "promise.confirmed_at", naive)) == ["promise.confirmed_at"]


@pytest.mark.parametrize(
    "moment", ["9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59Z"]
)
def test_timestamps_at_the_calendar_edges_are_refused(app, client, kiosk, moment):
    assert _problems(_manifest_with(client, kiosk, "created_at", moment)) == ["created_at"]
    assert _problems(client.post("/evaluations", kiosk, json=_evaluation(kiosk, created_at=moment))) == [
        "created_at"
    ]
    assert _problems(client.post("/heartbeat", kiosk, json={**BEAT, "oldest_waiting_at": moment})) == [
        "oldest_waiting_at"
    ]
    assert _stored_submissions(app) == 0


def test_the_first_and_last_instants_allowed_are_ingested(app, client, kiosk):
    """The transfer deadline (working days) is computed for both ends of the range."""
    for seq, moment in enumerate((EARLIEST, LATEST - timedelta(microseconds=1)), start=1):
        manifest, blobs = make_manifest(kiosk.kiosk_id, seq=seq)
        upload(client, kiosk, blobs)
        data = _set(manifest.model_dump(mode="json"), "created_at", moment.isoformat())
        data["receipt_no"] = f"{kiosk.station_code}-{kiosk.kiosk_id}-{moment:%Y%m%d}-{seq:04d}"
        assert client.post("/submissions", kiosk, json=data).status_code == 201
    assert _stored_submissions(app) == 2


# -- JSON itself -----------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [100_000, MAX_DEPTH + 1])
def test_deeply_nested_json_is_a_400(client, kiosk, levels):
    body = "[" * levels + "]" * levels
    response = client.post("/heartbeat", kiosk, data=body, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "too_deep"


def test_nan_and_infinity_are_not_json(client, kiosk):
    for constant in ("NaN", "Infinity", "-Infinity"):
        body = f'{{"queue_length": 0, "app_version": "1.0", "disk_free_bytes": {constant}}}'
        response = client.post("/heartbeat", kiosk, data=body, content_type="application/json")
        assert response.status_code == 400 and response.get_json()["error"] == "malformed_json"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_json_bodies_need_the_json_media_type(app, client, kiosk, content_type):
    manifest, blobs = make_manifest(kiosk.kiosk_id)
    upload(client, kiosk, blobs)
    body = manifest.model_dump_json()
    response = client.post("/submissions", kiosk, data=body, content_type=content_type)
    assert response.status_code == 415 and response.get_json()["error"] == "unsupported_media_type"
    assert _stored_submissions(app) == 0
    charset = client.post("/submissions", kiosk, data=body, content_type="application/json; charset=utf-8")
    assert charset.status_code == 201


# -- NUL characters (PostgreSQL refuses them in TEXT, VARCHAR and JSONB) ---------------------


@pytest.mark.parametrize(
    "path",
    [
        "applicant.name",
        "applicant.address",
        "materials.0.pages.0.ocr_text",
        "materials.0.name",
        "matter_code",
        "catalog_version",
        "protocol_version",
        "promise.text",
    ],
)
def test_nul_in_a_manifest_string_is_a_422(app, client, kiosk, path):
    value = "张三\x00" if path != "promise.text" else "本人承诺所提交的材料真实有效，如有虚假愿承担责任\x00"
    assert _problems(_manifest_with(client, kiosk, path, value)) == [path]
    assert _stored_submissions(app) == 0


def test_nul_in_manifest_keys_is_a_422(client, kiosk):
    manifest, blobs = make_manifest(kiosk.kiosk_id)
    upload(client, kiosk, blobs)
    data = manifest.model_dump(mode="json")
    data["answers"] = {"has\x00key": True}
    data["materials"][0]["pages"][0]["fields"] = {"id\x00": "x", "name": "a\x00b"}
    paths = _problems(client.post("/submissions", kiosk, json=data))
    assert "answers.has\x00key.[key]" in paths and "materials.0.pages.0.fields.name" in paths


@pytest.mark.parametrize("field", ["app_version", "catalog_version", "last_error"])
def test_nul_in_heartbeat_strings_is_a_422(client, kiosk, field):
    assert _problems(client.post("/heartbeat", kiosk, json={**BEAT, field: "1.0\x00"})) == [field]


def test_nul_in_evaluation_comment_is_a_422(client, kiosk):
    response = client.post("/evaluations", kiosk, json=_evaluation(kiosk, comment="好\x00"))
    assert _problems(response) == ["comment"]


def test_nul_in_the_url_or_the_kiosk_id_is_a_4xx(client, kiosk):
    response = client.get("/submissions/ST01-K1-20260101-0001%00/status", kiosk)
    assert response.status_code == 400 and response.get_json()["error"] == "bad_parameter"
    response = client.get("/status-feed?after=%00", kiosk)
    assert response.status_code == 400
    response = client.get("/results/abc%00", kiosk)
    assert response.status_code == 400
    nul_id = client.get("/catalog", headers={"Authorization": f"Bearer K\x00:{kiosk.secret}"})
    assert nul_id.status_code == 401


# -- strings longer than their column --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "length"),
    [
        ("matter_code", MATTER_CODE_LEN),
        ("catalog_version", CATALOG_VERSION_LEN),
        ("materials.0.requirement_code", REQUIREMENT_CODE_LEN),
    ],
)
def test_manifest_strings_fit_their_columns(app, client, kiosk, path, length):
    assert _problems(_manifest_with(client, kiosk, path, "X" * (length + 1))) == [path]
    assert _stored_submissions(app) == 0
    assert _manifest_with(client, kiosk, path, "X" * length, seq=2).status_code == 201


def test_receipt_numbers_fit_their_column(client, kiosk):
    longest_pattern = "ABCDEFGHIJKLMNOP-ABCDEFGH-20260105-123456"  # 41: the pattern alone allows it
    response = client.post("/evaluations", kiosk, json=_evaluation(kiosk, receipt_no=longest_pattern))
    assert _problems(response) == ["receipt_no"]
    assert _problems(_manifest_with(client, kiosk, "receipt_no", longest_pattern)) == ["receipt_no"]
    status = client.get(f"/submissions/{longest_pattern}/status", kiosk)
    assert status.status_code == 400


def test_an_evaluation_receipt_number_is_stored(app, client, kiosk):
    receipt = f"{kiosk.station_code}-{kiosk.kiosk_id}-20260105-0001"
    response = client.post("/evaluations", kiosk, json=_evaluation(kiosk, receipt_no=receipt))
    assert response.status_code == 201
    with get_db(app).transaction() as session:
        assert session.scalars(select(Evaluation.receipt_no)).all() == [receipt]


# -- URL parameters: the schema and the server agree -----------------------------------------


def test_feed_parameters_accept_exactly_what_the_schema_says(client, kiosk):
    document = client.get("/openapi.json").get_json()
    published = {p["name"]: p["schema"] for p in document["paths"]["/status-feed"]["get"]["parameters"]}
    for param in (FEED_AFTER, FEED_LIMIT):
        schema = published[param.name]
        assert (schema["minimum"], schema["maximum"]) == (param.low, param.high)
        for good in (param.low, param.high):
            assert client.get(f"/status-feed?{param.name}={good}", kiosk).status_code == 200
        for bad in (param.low - 1, param.high + 1, "x", "1.5"):
            response = client.get(f"/status-feed?{param.name}={bad}", kiosk)
            assert response.status_code == 400 and response.get_json()["details"] == {"parameter": param.name}
    assert published["limit"]["minimum"] == 1  # limit=0 was allowed by the schema and refused


# -- every API path answers JSON; the workspace keeps its pages ------------------------------


def test_405_names_the_allowed_methods(client, kiosk):
    response = client.call("delete", "/submissions", kiosk)
    assert response.status_code == 405 and response.get_json()["error"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"POST", "OPTIONS"}


def test_api_errors_are_json_and_workspace_errors_are_pages(client, kiosk):
    flask = client.flask
    for path in ("/nowhere", "", "/", "/results/", "/submissions//status", "/blobs/../catalog"):
        response = flask.get(API_PREFIX + path, headers=kiosk.headers)
        assert response.status_code == 404 and response.is_json, path
    doubled_slash = {"PATH_INFO": "/" + API_PREFIX + "/nowhere"}  # as a server passes //api/v1/…
    doubled = flask.get("/", headers=kiosk.headers, environ_overrides=doubled_slash)
    assert doubled.status_code == 404 and doubled.get_json()["error"] == "not_found"
    long_url = API_PREFIX + "/submissions/" + "A" * MAX_URL_BYTES + "/status"
    response = flask.get(long_url, headers=kiosk.headers)
    assert response.status_code == 414 and response.get_json()["error"] == "uri_too_long"
    page = flask.get("/workspace/nowhere")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_a_body_larger_than_allowed_is_a_json_413(app, client, kiosk):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    body = json.dumps({**BEAT, "last_error": "x" * 2000})
    response = client.post("/heartbeat", kiosk, data=body, content_type="application/json")
    assert response.status_code == 413 and response.get_json()["error"] == "too_large"
