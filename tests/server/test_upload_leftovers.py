"""A server SIGKILLed mid-upload leaves ``blobs/tmp/upload-*``; the next start removes it.

The real server (gunicorn, SQLite) is killed with SIGKILL while a page upload is half
sent; its temporary file survives the kill, as it would a power cut. Restarting removes
files older than ``BLOB_TMP_MAX_AGE`` and keeps fresh ones (another server sharing the
blob folder may be writing them). Time is not waited for: the leftover's mtime is set
back, as if the server had stayed down for two hours.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest
import requests

from shared_schema.protocol import API_PREFIX, sha256_hex
from sync_server.config import defaults
from tests.support.kiosk_factories import jpeg_page
from tests.support.live_server import LiveServer, fresh_database

from .conftest import KioskCreds

STATION = "CQ0100"  # a station of the packaged demo catalog the live server loads
MAX_AGE = defaults(Path("."))["BLOB_TMP_MAX_AGE"]


def _enroll(server: LiveServer) -> KioskCreds:
    body = {"code": server.enrollment_code(STATION), "name": "killed"}
    answer = requests.post(f"{server.url}{API_PREFIX}/enroll", json=body, timeout=10).json()
    return KioskCreds(answer["kiosk_id"], answer["station_code"], answer["secret"], answer["bundle_key"])


def _uploads(server: LiveServer) -> list[Path]:
    return sorted((server.home / "blobs" / "tmp").glob("upload-*"))


def _wait_for_partial_upload(server: LiveServer, timeout: float = 30.0) -> Path:
    """The server's temporary file, once the upload has begun writing it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = _uploads(server)
        if files:
            return files[0]
        time.sleep(0.05)  # polling for the file to appear, not guessing a duration
    raise AssertionError("the server never started writing the upload")


@pytest.fixture
def live(tmp_path: Path):
    server = LiveServer(tmp_path / "home", fresh_database("sqlite", tmp_path), gunicorn=True, workers=1)
    yield server.start()
    server.stop()


def test_sigkill_mid_upload_leaves_a_file_the_next_start_removes(live: LiveServer) -> None:
    kiosk = _enroll(live)
    data = jpeg_page(11, (400, 300))
    sha = sha256_hex(data)
    head = (
        f"PUT {API_PREFIX}/blobs/{sha} HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n"
        f"Authorization: {kiosk.headers['Authorization']}\r\nContent-Type: image/jpeg\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", live.port), timeout=30) as sock:
        sock.sendall(head + data[: len(data) // 2])
        leftover = _wait_for_partial_upload(live)
        live.kill()  # SIGKILL to master and worker: no finally, no cleanup
    assert leftover.exists(), "SIGKILL should leave the partial upload behind"
    two_hours_ago = time.time() - 2 * MAX_AGE
    os.utime(leftover, (two_hours_ago, two_hours_ago))
    fresh = leftover.with_name("upload-another-server-writing-now")
    fresh.write_bytes(b"partial")  # e.g. a second server on the same blob folder, mid-upload

    live.start()
    assert not leftover.exists() and fresh.exists()
    log = (live.home / "gunicorn.log").read_text()
    assert "removed 1 upload file(s) left by an interrupted server" in log
    put = requests.put(
        f"{live.url}{API_PREFIX}/blobs/{sha}",
        data=data,
        headers={**kiosk.headers, "Content-Type": "image/jpeg"},
        timeout=30,
    )
    assert put.status_code == 201 and live.blob(sha) == data  # the page is uploaded whole afterwards
    assert _uploads(live) == [fresh]  # the completed upload left no temporary file
