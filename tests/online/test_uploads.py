"""Resumable uploads: a dropped link resumes to the identical blob; limits refused with a clear message."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from reportlab.pdfgen import canvas
from sqlalchemy import select, update

from sync_server.blobstore import LocalBlobStore
from sync_server.db import get_db, utcnow
from sync_server.online.models import ApplicationPage, Upload
from sync_server.online.pages import owner_of
from sync_server.scan_jobs import job_id_for
from tests.server.factories import HOME_MATTER

from .conftest import PHONE, Phone

CHUNK = 1024


def small_jpeg(seed: int = 0) -> bytes:
    image = Image.new("RGB", (320, 240), (250, 250, 245))
    for x in range(20, 300, 7):
        image.putpixel((x, 40 + seed % 100), (0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def start_application(browser: Phone) -> str:
    response = browser.post("/online/apply", {"matter": HOME_MATTER})
    assert response.status_code == 303, response.get_data(as_text=True)
    return re.search(r"/apply/([^/]+)/", response.headers["Location"]).group(1)


def api(browser: Phone, method: str, path: str, **kw: Any) -> Any:
    headers = {"X-CSRF-Token": browser.csrf, "Accept": "application/json"}
    return browser.http.open(path, method=method, headers=headers, **kw)


@pytest.fixture
def small_chunks(app: Flask) -> None:
    app.config["ONLINE_CHUNK_MAX_BYTES"] = CHUNK


def test_resumed_upload_gives_the_identical_blob(app: Flask, resident: Phone, small_chunks: None) -> None:
    app_id = start_application(resident)
    resident.get(f"/online/apply/{app_id}/materials")
    data = small_jpeg()
    assert len(data) > 2 * CHUNK
    target = f"apply:{app_id}:id_card"
    started = api(
        resident, "POST", "/online/uploads", json={"target": target, "size": len(data), "filename": "a.jpg"}
    )
    assert started.status_code == 201, started.get_json()
    url = f"/online/uploads/{started.get_json()['upload_id']}"
    assert api(resident, "PUT", f"{url}?offset=0", data=data[:CHUNK]).get_json()["offset"] == CHUNK
    # the link drops: the phone retries a chunk the server already holds, then asks where to go on
    stale = api(resident, "PUT", f"{url}?offset=0", data=data[:CHUNK])
    assert stale.status_code == 409 and stale.get_json()["offset"] == CHUNK
    offset = api(resident, "GET", url).get_json()["offset"]
    answer: dict[str, Any] = {}
    while offset < len(data):
        answer = api(resident, "PUT", f"{url}?offset={offset}", data=data[offset : offset + CHUNK]).get_json()
        offset = answer["offset"]
    assert answer["done"] and answer["added"] == 1
    sha = hashlib.sha256(data).hexdigest()
    with LocalBlobStore(app.config["BLOB_DIR"]).open(sha) as fh:
        assert fh.read() == data  # byte for byte what the phone holds
    with get_db(app).transaction() as session:
        page = session.scalars(select(ApplicationPage)).one()
    assert (page.sha256, page.requirement_code) == (sha, "id_card")
    assert page.job_id == job_id_for(owner_of(PHONE), sha)  # queued for the scan workers

    # an upload left for days is given up when the phone starts another: row and part file gone
    left = api(resident, "POST", "/online/uploads", json={"target": target, "size": 10}).get_json()[
        "upload_id"
    ]
    with get_db(app).transaction(write=True) as session:
        session.execute(
            update(Upload).where(Upload.id == left).values(updated_at=utcnow() - timedelta(days=3))
        )
    assert api(resident, "POST", "/online/uploads", json={"target": target, "size": 10}).status_code == 201
    assert api(resident, "GET", f"/online/uploads/{left}").status_code == 404
    assert not (Path(app.config["HOME"]) / "online_uploads" / f"{left}.part").exists()

    other = Phone(app.test_client(), address="10.0.0.7")
    other.sign_in(app, "13700137000")
    assert api(other, "GET", url).status_code == 404  # another phone's upload does not exist
    assert other.get(f"/online/apply/{app_id}/materials").status_code == 404


def _form_upload(browser: Phone, app_id: str, data: bytes, name: str) -> tuple[int, str]:
    response = browser.http.post(
        f"/online/apply/{app_id}/materials/form",
        data={"csrf_token": browser.csrf, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_data(as_text=True)


def bomb_png() -> bytes:
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000), 1).save(out, "PNG")  # 144 MP in a few kB
    return out.getvalue()


def one_page_pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(300, 400))
    page.drawString(40, 300, "form page")
    page.save()
    return out.getvalue()


def test_limits_refused_with_a_clear_message(app: Flask, resident: Phone) -> None:
    app_id = start_application(resident)
    resident.get(f"/online/apply/{app_id}/materials")
    status, body = _form_upload(resident, app_id, b"MZ\x90\x00 not a picture" * 10, "photo.jpg")
    assert status == 415 and "这不是图片或PDF文件" in body
    app.config["ONLINE_UPLOAD_MAX_BYTES"] = 50_000
    status, body = _form_upload(resident, app_id, small_jpeg() + b"\x00" * 60_000, "big.jpg")
    assert status == 413 and "文件太大" in body
    app.config["ONLINE_UPLOAD_MAX_BYTES"] = 20_000_000
    status, body = _form_upload(resident, app_id, bomb_png(), "bomb.png")
    assert status == 422 and "文件太大" in body
    status, body = _form_upload(resident, app_id, small_jpeg()[:400], "cut.jpg")
    assert status == 422 and "不完整" in body
    started = api(resident, "POST", "/online/uploads", json={"target": f"apply:{app_id}:form", "size": 10**9})
    assert started.status_code == 413 and "文件太大" in started.get_json()["message"]
    assert (
        api(resident, "POST", "/online/uploads", json={"target": "nowhere:1", "size": 10}).status_code == 400
    )
    with get_db(app).transaction() as session:
        assert session.scalars(select(ApplicationPage)).all() == []  # nothing refused was kept

    status, _ = _form_upload(resident, app_id, one_page_pdf(), "form.pdf")  # a PDF is rasterised
    assert status == 303
    with get_db(app).transaction() as session:
        page = session.scalars(select(ApplicationPage)).one()
    assert page.content_type == "image/jpeg" and page.requirement_code == "form" and page.width > 300
