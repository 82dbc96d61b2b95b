"""``tongban server …`` commands through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tongban_cli.main import cli

from .conftest import ApiClient, KioskCreds, submit
from .factories import STATION_ZEZHOU, make_bundle, make_manifest, write_catalog


def run(home: Path, db_url: str | None, *args: str) -> tuple[int, str]:
    base = ["server", "--home", str(home)] + (["--db", db_url] if db_url else [])
    result = CliRunner().invoke(cli, [*base, *args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    return write_catalog(tmp_path / "catalog")


def test_init_db_on_a_fresh_sqlite_home(tmp_path, catalog_dir):
    home = tmp_path / "home"
    code, out = run(home, None, "init-db", "--catalog", str(catalog_dir), "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["catalog_version"] == "2026.01.01" and result["matters"] == 4
    assert (home / "server.db").is_file()
    code, out = run(home, None, "init-db", "--catalog", str(catalog_dir))  # refresh is idempotent
    assert code == 0 and "catalog 2026.01.01 loaded" in out


def test_commands_before_init_db_fail_clearly(tmp_path):
    code, out = run(tmp_path, None, "enroll-kiosk", "--station", STATION_ZEZHOU, "--json")
    assert code != 0 and "init-db" in out


def test_enroll_revoke_list_submissions_import(app, db_url, tmp_path, catalog_dir):
    code, out = run(tmp_path, db_url, "init-db", "--catalog", str(catalog_dir), "--json")
    assert code == 0, out
    png = tmp_path / "qr.png"
    code, out = run(
        tmp_path, db_url, "enroll-kiosk", "--station", STATION_ZEZHOU, "--qr-png", str(png), "--json"
    )
    assert code == 0, out
    enrollment = json.loads(out)
    assert png.read_bytes().startswith(b"\x89PNG")
    code, text_out = run(tmp_path, db_url, "enroll-kiosk", "--station", STATION_ZEZHOU)
    assert code == 0 and "enrollment code for station ST01" in text_out and "█" in text_out
    code, out = run(tmp_path, db_url, "enroll-kiosk", "--station", "NOPE9", "--json")
    assert code != 0 and json.loads(out)["reason"] == "unknown_station"

    client = ApiClient(app)
    answer = client.post("/enroll", json={"code": enrollment["code"]}).get_json()
    kiosk = KioskCreds(answer["kiosk_id"], answer["station_code"], answer["secret"], answer["bundle_key"])
    manifest, blobs = make_manifest(kiosk.kiosk_id)
    assert submit(client, kiosk, manifest, blobs).status_code == 201

    code, out = run(tmp_path, db_url, "submissions", "--json")
    (row,) = json.loads(out)
    assert row["receipt_no"] == manifest.receipt_no and row["client_uuid"] == str(manifest.client_uuid)
    assert row["page_hashes"] == list(blobs) and row["department_code"] == "SB-140521"
    assert row["state"] == "routed"
    code, out = run(tmp_path, db_url, "submissions")
    assert manifest.receipt_no in out

    code, out = run(tmp_path, db_url, "kiosks", "--stale-after", "2h", "--json")
    assert [r["kiosk_id"] for r in json.loads(out)] == [kiosk.kiosk_id]

    second, pages = make_manifest(kiosk.kiosk_id, seq=2)
    bundle = make_bundle(tmp_path / "bundle.tar", kiosk.kiosk_id, kiosk.bundle_key, [manifest, second], pages)
    code, out = run(tmp_path, db_url, "import", str(bundle), "--json")
    assert code == 0, out
    assert (json.loads(out)["created"], json.loads(out)["replayed"]) == (1, 1)

    code, out = run(tmp_path, db_url, "revoke-kiosk", kiosk.kiosk_id, "--json")
    assert code == 0 and json.loads(out)["kiosk_id"] == kiosk.kiosk_id
    assert client.get("/catalog", kiosk).status_code == 401
    code, out = run(tmp_path, db_url, "revoke-kiosk", "KZZZZZ", "--json")
    assert code != 0
    code, out = run(tmp_path, db_url, "kiosks", "--json")
    assert json.loads(out)[0]["revoked"] is True
