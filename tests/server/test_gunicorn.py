"""The real thing: ``tongban server run`` under gunicorn with 2 workers, on each backend."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from shared_schema.protocol import API_PREFIX, SIGNATURE_HEADER, auth_header, verify
from tests.support.waiting import STUCK_S
from tongban_cli.main import cli

from .factories import STATION_ZEZHOU, make_manifest, png_page, write_catalog


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(app, db_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    home = tmp_path / "live"
    base = ["server", "--home", str(home), "--db", db_url]
    result = CliRunner().invoke(cli, [*base, "init-db", "--catalog", str(write_catalog(tmp_path / "cat"))])
    assert result.exit_code == 0, result.output
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "tongban_cli.main",
        *base,
        "run",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
    ]
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}{API_PREFIX}"
    deadline = time.monotonic() + STUCK_S  # a bound for stuck, not a guess of start-up time
    while True:
        try:
            if requests.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
        assert time.monotonic() < deadline, "gunicorn did not come up"
        time.sleep(0.1)
    try:
        yield url, home
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STUCK_S)
        log.close()


def test_commit_through_gunicorn(live_server, db_url):
    url, home = live_server
    result = CliRunner().invoke(
        cli,
        [
            "server",
            "--home",
            str(home),
            "--db",
            db_url,
            "enroll-kiosk",
            "--station",
            STATION_ZEZHOU,
            "--json",
        ],
    )
    code = __import__("json").loads(result.output)["code"]
    enrolled = requests.post(f"{url}/enroll", json={"code": code, "name": "live"}, timeout=10)
    assert enrolled.status_code == 201
    creds = enrolled.json()
    headers = auth_header(creds["kiosk_id"], creds["secret"])
    manifest, blobs = make_manifest(creds["kiosk_id"])
    missing = requests.post(f"{url}/blobs/missing", json={"hashes": list(blobs)}, headers=headers, timeout=10)
    assert missing.json() == {"missing": list(blobs)}
    assert verify(creds["secret"], missing.content, missing.headers[SIGNATURE_HEADER])
    for sha, data in blobs.items():
        put = requests.put(
            f"{url}/blobs/{sha}", data=data, headers={**headers, "Content-Type": "image/png"}, timeout=10
        )
        assert put.status_code == 201
    body = manifest.model_dump_json()
    first = requests.post(
        f"{url}/submissions", data=body, headers={**headers, "Content-Type": "application/json"}, timeout=10
    )
    assert first.status_code == 201, first.text
    assert verify(creds["secret"], first.content, first.headers[SIGNATURE_HEADER])
    replay = requests.post(
        f"{url}/submissions", data=body, headers={**headers, "Content-Type": "application/json"}, timeout=10
    )
    assert replay.status_code == 200 and replay.content == first.content
    _truncated_upload(url, headers)
    # a long API URL is answered by the app in JSON, not by gunicorn's own 414 page
    too_long = requests.get(f"{url}/submissions/{'A' * 6000}/status", headers=headers, timeout=10)
    assert too_long.status_code == 414 and too_long.json()["error"] == "uri_too_long"
    listed = CliRunner().invoke(cli, ["server", "--home", str(home), "--db", db_url, "submissions", "--json"])
    assert manifest.receipt_no in listed.output


def _truncated_upload(url: str, headers: dict[str, str]) -> None:
    """A connection that dies mid-body stores nothing; the blob is still missing afterwards."""
    data = png_page(999, size=(200, 200))
    from shared_schema.protocol import sha256_hex

    sha = sha256_hex(data)
    host, port = url.split("//")[1].split("/")[0].split(":")
    request = (
        f"PUT {API_PREFIX}/blobs/{sha} HTTP/1.1\r\nHost: {host}\r\nContent-Type: image/png\r\n"
        f"Authorization: {headers['Authorization']}\r\nContent-Length: {len(data)}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request + data[: len(data) // 2])
        sock.shutdown(socket.SHUT_WR)
        sock.recv(4096)
    missing = requests.post(f"{url}/blobs/missing", json={"hashes": [sha]}, headers=headers, timeout=10)
    assert missing.json() == {"missing": [sha]}
