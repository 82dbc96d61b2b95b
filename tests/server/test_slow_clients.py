"""Slow and stalled uploads under the real server (gunicorn gthread, SQLite, --timeout 3).

- An upload that keeps moving for longer than ``--timeout`` completes (a sync worker
  would have been killed after 3 s, every time).
- A stalled upload holds no database lock: another kiosk's pages, commit and heartbeat
  go through meanwhile (on SQLite one open write transaction blocks every writer), and
  the stalled one is answered 408 after ``--timeout`` seconds of silence, storing nothing.
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator

import pytest
import requests

from shared_schema.protocol import API_PREFIX, sha256_hex
from tests.support.kiosk_factories import jpeg_page
from tests.support.live_server import LiveServer, fresh_database

from .conftest import KioskCreds
from .factories import make_manifest

STATION = "CQ0100"  # a station of the packaged demo catalog the live server loads
TIMEOUT = 3


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("slow")
    server = LiveServer(
        root / "home",
        fresh_database("sqlite", root),
        gunicorn=True,
        workers=2,
        run_args=("--timeout", str(TIMEOUT), "--threads", "4"),
    ).start()
    yield server
    server.stop()


def _enroll(server: LiveServer) -> KioskCreds:
    body = {"code": server.enrollment_code(STATION), "name": "slow"}
    answer = requests.post(f"{server.url}{API_PREFIX}/enroll", json=body, timeout=10).json()
    return KioskCreds(answer["kiosk_id"], answer["station_code"], answer["secret"], answer["bundle_key"])


def _head(server: LiveServer, kiosk: KioskCreds, data: bytes) -> bytes:
    return (
        f"PUT {API_PREFIX}/blobs/{sha256_hex(data)} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Authorization: {kiosk.headers['Authorization']}\r\nContent-Type: image/jpeg\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode()


def _status(sock: socket.socket) -> int:
    answer = b""
    while b"\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    return int(answer.split(b" ", 2)[1]) if answer else 0


def _missing(server: LiveServer, kiosk: KioskCreds, sha: str) -> list[str]:
    url = f"{server.url}{API_PREFIX}/blobs/missing"
    return requests.post(url, json={"hashes": [sha]}, headers=kiosk.headers, timeout=10).json()["missing"]


def test_slow_upload_longer_than_the_timeout_completes(live: LiveServer) -> None:
    kiosk = _enroll(live)
    data = jpeg_page(7, (300, 240))
    pieces = 10
    step = -(-len(data) // pieces)
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", live.port), timeout=30) as sock:
        sock.sendall(_head(live, kiosk, data))
        for i in range(pieces):  # 0.55 s apart: 5.5 s in all, never silent for 3 s
            sock.sendall(data[i * step : (i + 1) * step])
            time.sleep(0.55)
        status = _status(sock)
    assert time.monotonic() - started > TIMEOUT + 1
    assert status == 201
    assert _missing(live, kiosk, sha256_hex(data)) == []
    assert live.blob(sha256_hex(data)) == data


def test_stalled_upload_blocks_no_other_kiosk(live: LiveServer) -> None:
    stalled, other = _enroll(live), _enroll(live)
    data = jpeg_page(8, (300, 240))
    with socket.create_connection(("127.0.0.1", live.port), timeout=30) as sock:
        sock.sendall(_head(live, stalled, data) + data[: len(data) // 2])
        time.sleep(0.3)  # let the worker start reading the body (nothing to await from outside)
        manifest, blobs = make_manifest(other.kiosk_id, STATION)
        api = f"{live.url}{API_PREFIX}"
        for sha, page in blobs.items():
            put = requests.put(f"{api}/blobs/{sha}", data=page, timeout=5,
                               headers={**other.headers, "Content-Type": "image/png"})  # fmt: skip
            assert put.status_code == 201
        commit = requests.post(f"{api}/submissions", data=manifest.model_dump_json(), timeout=5,
                               headers={**other.headers, "Content-Type": "application/json"})  # fmt: skip
        assert commit.status_code == 201, commit.text
        beat = {"queue_length": 0, "disk_free_bytes": 1, "app_version": "t", "catalog_version": "t"}
        assert requests.post(f"{api}/heartbeat", json=beat, headers=other.headers, timeout=5).ok
        # nobody waited for the stalled body: it is still open, unanswered (an order of
        # events, not a stopwatch: a loaded machine makes everything slower alike)
        assert select.select([sock], [], [], 0)[0] == []
        assert _status(sock) == 408  # cut off after TIMEOUT seconds of silence
    assert _missing(live, stalled, sha256_hex(data)) == [sha256_hex(data)]
    stored = live.query("SELECT count(*) FROM blobs WHERE sha256 = :s", s=sha256_hex(data))
    assert stored == [(0,)]
