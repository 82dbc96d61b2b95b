"""``scripts/server_backup.py`` really backs up and restores a server (SQLite and PostgreSQL).

A populated, running server is backed up; the backup is restored into a fresh home and an
empty database, and a server started there (without ``init-db``) must serve the same
submissions (status, byte-identical acknowledgement on replay), the same page bytes and
the same keys, and accept the same kiosk credentials. A damaged backup and a target that
already holds data are refused.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from shared_schema.protocol import API_PREFIX
from tests.support.live_server import LiveServer, drop_database, fresh_database

from .conftest import BACKENDS, KioskCreds
from .factories import make_manifest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = [sys.executable, str(ROOT / "scripts" / "server_backup.py")]
STATION = "CQ0100"  # a station of the packaged demo catalog the live server loads


def run_script(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*SCRIPT, *args], capture_output=True, text=True, timeout=300)
    assert (result.returncode == 0) is ok, result.stdout + result.stderr
    return result


@pytest.fixture(params=BACKENDS)
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The original server's database and an empty one to restore into."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    original = fresh_database(request.param, tmp_path / "a")
    target = fresh_database(request.param, tmp_path / "b")
    yield original, target
    drop_database(original)
    drop_database(target)


def _enroll(server: LiveServer) -> KioskCreds:
    body = {"code": server.enrollment_code(STATION), "name": "backup"}
    answer = requests.post(f"{server.url}{API_PREFIX}/enroll", json=body, timeout=10).json()
    return KioskCreds(answer["kiosk_id"], answer["station_code"], answer["secret"], answer["bundle_key"])


def _populate(server: LiveServer, kiosk: KioskCreds) -> tuple[dict[str, bytes], dict[str, bytes], list[str]]:
    """Three committed submissions; their manifests, first answers and page hashes."""
    api = f"{server.url}{API_PREFIX}"
    manifests, acks, pages = {}, {}, []
    for seq in (1, 2, 3):
        manifest, blobs = make_manifest(kiosk.kiosk_id, STATION, seq=seq)
        for sha, data in blobs.items():
            put = requests.put(f"{api}/blobs/{sha}", data=data, timeout=10,
                               headers={**kiosk.headers, "Content-Type": "image/png"})  # fmt: skip
            assert put.status_code == 201
            pages.append(sha)
        body = manifest.model_dump_json().encode()
        commit = requests.post(f"{api}/submissions", data=body, timeout=10,
                               headers={**kiosk.headers, "Content-Type": "application/json"})  # fmt: skip
        assert commit.status_code == 201, commit.text
        manifests[manifest.receipt_no], acks[manifest.receipt_no] = body, commit.content
    return manifests, acks, pages


def _statuses(server: LiveServer, kiosk: KioskCreds, receipts: list[str]) -> list[dict]:
    api = f"{server.url}{API_PREFIX}"
    answers = [
        requests.get(f"{api}/submissions/{r}/status", headers=kiosk.headers, timeout=10) for r in receipts
    ]
    assert all(a.status_code == 200 for a in answers)
    return [a.json() for a in answers]


def test_backup_restores_into_a_fresh_home_and_database(tmp_path: Path, databases: tuple[str, str]) -> None:
    original_url, target_url = databases
    original = LiveServer(tmp_path / "a" / "home", original_url).start()
    try:
        kiosk = _enroll(original)
        manifests, acks, pages = _populate(original, kiosk)
        before = _statuses(original, kiosk, list(manifests))
        settings = original.query("SELECT key, value FROM server_settings ORDER BY key")
        listing = original.query(
            "SELECT receipt_no, state, department_code FROM submissions ORDER BY receipt_no"
        )
        out = tmp_path / "backup"
        made = json.loads(
            run_script("backup", "--home", str(original.home), "--db", original_url, "--out", str(out)).stdout
        )  # fmt: skip  (the server keeps running)
    finally:
        original.stop()
    assert made["blobs"] == len(set(pages)) and made["backend"] == original_url.split(":")[0].split("+")[0]
    assert json.loads(run_script("verify", str(out)).stdout)["ok"] is True

    new_home = tmp_path / "b" / "home"
    restored_info = json.loads(
        run_script("restore", str(out), "--home", str(new_home), "--db", target_url).stdout
    )
    assert restored_info["schema_current"] is True and restored_info["blobs"] == made["blobs"]
    restored = LiveServer(new_home, target_url, initialise=False).start()
    try:
        assert _statuses(restored, kiosk, list(manifests)) == before  # the same kiosk secret works
        api = f"{restored.url}{API_PREFIX}"
        for receipt, body in manifests.items():
            replay = requests.post(f"{api}/submissions", data=body, timeout=10,
                                   headers={**kiosk.headers, "Content-Type": "application/json"})  # fmt: skip
            assert replay.status_code == 200 and replay.content == acks[receipt]  # known, not new
        missing = requests.post(
            f"{api}/blobs/missing", json={"hashes": pages}, headers=kiosk.headers, timeout=10
        )
        assert missing.json()["missing"] == []
        assert all(restored.blob(sha) == original.blob(sha) for sha in pages)  # the same bytes
        assert restored.query("SELECT key, value FROM server_settings ORDER BY key") == settings  # the keys
        assert (
            restored.query("SELECT receipt_no, state, department_code FROM submissions ORDER BY receipt_no")
            == listing
        )
    finally:
        restored.stop()

    again = run_script("restore", str(out), "--home", str(tmp_path / "c"), "--db", target_url, ok=False)
    assert "restore into an empty one" in again.stderr  # the target already holds data


def test_a_damaged_backup_is_refused_before_anything_is_written(
    tmp_path: Path, databases: tuple[str, str]
) -> None:
    original_url, target_url = databases
    server = LiveServer(tmp_path / "a" / "home", original_url).start()
    try:
        _populate(server, _enroll(server))
    finally:
        server.stop()
    out = tmp_path / "backup"
    run_script("backup", "--home", str(server.home), "--db", original_url, "--out", str(out))
    blob = next(p for p in (out / "blobs").rglob("*") if p.is_file())
    blob.write_bytes(blob.read_bytes()[:-1] + b"\x00")  # one flipped byte
    damaged = run_script("verify", str(out), ok=False)
    assert "damaged" in damaged.stderr and str(blob.relative_to(out)) in damaged.stderr
    new_home = tmp_path / "b" / "home"
    refused = run_script("restore", str(out), "--home", str(new_home), "--db", target_url, ok=False)
    assert "damaged" in refused.stderr and not new_home.exists()
    run_script("backup", "--home", str(server.home), "--db", original_url, "--out", str(out), ok=False)
