"""Page blob upload: hash checked, size and type limits, resume after an interruption."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from shared_schema.protocol import sha256_hex
from sync_server.blobstore import get_store
from sync_server.db import get_db
from sync_server.models import Blob

from .conftest import submit, upload
from .factories import make_manifest, png_page


def _blob_files(app) -> list[Path]:
    root = Path(app.config["BLOB_DIR"])
    return [p for p in root.rglob("*") if p.is_file()]


def test_upload_then_had_it(app, client, kiosk):
    data = png_page(1)
    sha = sha256_hex(data)
    first = client.put(f"/blobs/{sha}", kiosk, data=data, content_type="image/png")
    assert first.status_code == 201 and first.get_json() == {
        "sha256": sha,
        "size": len(data),
        "created": True,
    }
    stored = Path(app.config["BLOB_DIR"]) / sha[:2] / sha[2:4] / sha
    assert stored.read_bytes() == data
    second = client.put(f"/blobs/{sha}", kiosk, data=data, content_type="image/png")
    assert second.status_code == 200 and second.get_json()["created"] is False


def test_hash_mismatch_stores_nothing(app, client, kiosk):
    data = png_page(2)
    wrong = sha256_hex(b"something else")
    response = client.put(f"/blobs/{wrong}", kiosk, data=data, content_type="image/png")
    assert response.status_code == 400 and response.get_json()["error"] == "hash_mismatch"
    assert response.get_json()["details"]["actual"] == sha256_hex(data)
    assert _blob_files(app) == []
    with get_db(app).transaction() as session:
        assert session.scalar(select(func.count()).select_from(Blob)) == 0


def test_too_large_and_wrong_type(app, client, kiosk):
    app.config["MAX_BLOB_BYTES"] = 100
    data = png_page(3, size=(64, 64)) + b"\0" * 200
    sha = sha256_hex(data)
    response = client.put(f"/blobs/{sha}", kiosk, data=data, content_type="image/png")
    assert response.status_code == 413 and response.get_json()["error"] == "too_large"
    app.config["MAX_BLOB_BYTES"] = 20_000_000
    app.config["MAX_CONTENT_LENGTH"] = 50
    response = client.put(f"/blobs/{sha}", kiosk, data=data, content_type="image/png")
    assert response.status_code == 413 and response.get_json()["message_zh"]
    app.config["MAX_CONTENT_LENGTH"] = 32 * 1024 * 1024
    response = client.put(f"/blobs/{sha}", kiosk, data=data, content_type="application/pdf")
    assert response.status_code == 415 and response.get_json()["error"] == "unsupported_media_type"
    response = client.put(f"/blobs/{sha}", kiosk, data=data, content_type="image/jpeg")
    assert response.status_code == 415 and response.get_json()["error"] == "content_mismatch"
    response = client.put("/blobs/NOTAHASH", kiosk, data=data, content_type="image/png")
    assert response.status_code == 400 and response.get_json()["error"] == "bad_hash"
    assert _blob_files(app) == []


def test_truncated_upload_leaves_nothing(app, client, kiosk):
    data = png_page(4)
    sha = sha256_hex(data)
    response = client.put(f"/blobs/{sha}", kiosk, data=data[: len(data) // 2], content_type="image/png")
    assert response.status_code == 400 and response.get_json()["error"] == "hash_mismatch"
    assert _blob_files(app) == []


def test_missing_and_resume(client, kiosk):
    pages = [png_page(10 + i) for i in range(3)]
    hashes = [sha256_hex(p) for p in pages]
    assert client.post("/blobs/missing", kiosk, json={"hashes": hashes}).get_json() == {"missing": hashes}
    for page in pages[:2]:  # the link drops after two pages
        client.put(f"/blobs/{sha256_hex(page)}", kiosk, data=page, content_type="image/png")
    response = client.post("/blobs/missing", kiosk, json={"hashes": [*hashes, hashes[2]]})
    assert response.get_json() == {"missing": [hashes[2]]}
    client.put(f"/blobs/{hashes[2]}", kiosk, data=pages[2], content_type="image/png")
    assert client.post("/blobs/missing", kiosk, json={"hashes": hashes}).get_json() == {"missing": []}
    bad = client.post("/blobs/missing", kiosk, json={"hashes": ["abc"]})
    assert bad.status_code == 422 and bad.get_json()["details"]["problems"][0]["path"] == "hashes.0"


def _blob_rows(app) -> dict[str, tuple[int, str]]:
    with get_db(app).transaction() as session:
        return {b.sha256: (b.size, b.content_type) for b in session.scalars(select(Blob))}


def test_the_store_says_what_is_held_and_the_commit_writes_the_rows(app, client, kiosk):
    """An upload touches no database; the commit naming a page writes its row (size and the
    sniffed type), once even when a later submission names the same page."""
    shared = png_page(20)
    first, blobs = make_manifest(kiosk.kiosk_id, seq=1, pages=[shared, png_page(21)])
    upload(client, kiosk, blobs)
    assert _blob_rows(app) == {}
    assert client.post("/blobs/missing", kiosk, json={"hashes": list(blobs)}).get_json() == {"missing": []}
    assert submit(client, kiosk, first).status_code == 201
    assert _blob_rows(app) == {sha: (len(data), "image/png") for sha, data in blobs.items()}
    second, more = make_manifest(kiosk.kiosk_id, seq=2, pages=[shared, png_page(22)])
    assert submit(client, kiosk, second, more).status_code == 201
    assert _blob_rows(app) == {sha: (len(data), "image/png") for sha, data in {**blobs, **more}.items()}


def test_a_stored_file_that_is_no_page_image_counts_as_missing(app, client, kiosk):
    """The workspace keeps result PDFs in the same store; a kiosk is never told it holds one."""
    pdf = b"%PDF-1.7\n" + b"\0" * 40 + b"\n%%EOF\n"
    sha = sha256_hex(pdf)
    get_store(app).put(sha, [pdf], len(pdf))
    assert client.post("/blobs/missing", kiosk, json={"hashes": [sha]}).get_json() == {"missing": [sha]}
