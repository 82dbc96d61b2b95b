"""``tongban server …`` commands through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.live_server import free_port
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


EMPTY_HOME_COMMANDS = [
    ["submissions"],
    ["kiosks"],
    ["revoke-kiosk", "K00001"],
    ["enroll-kiosk", "--station", STATION_ZEZHOU],
    ["sms-dispatch"],
    ["holidays", "list"],
    ["run", "--bind", "127.0.0.1:1"],
]


@pytest.mark.parametrize("args", EMPTY_HOME_COMMANDS, ids=lambda a: a[0])
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_every_command_on_an_empty_home_says_init_db_and_leaves_no_database(tmp_path, args, as_json):
    home = tmp_path / "home"
    json_flag = ["--json"] if as_json and args[0] != "run" else []
    code, out = run(home, None, *args, *json_flag)
    assert code != 0 and "tongban server init-db" in out, out
    assert "Traceback" not in out and "sqlalchemy" not in out.lower()
    if json_flag:
        assert "init-db" in json.loads(out)["message"]
    assert not (home / "server.db").exists()


def test_create_user_on_an_empty_home_says_init_db(tmp_path):
    home = tmp_path / "home"
    result = CliRunner().invoke(
        cli,
        ["server", "create-user", "ann", "--role", "auditor", "--password-stdin", "--home", str(home)],
        input="a long enough password\n",
    )
    assert result.exit_code != 0 and "init-db" in result.output
    assert not (home / "server.db").exists()


def test_home_is_accepted_after_the_subcommand_too(tmp_path, catalog_dir):
    home = tmp_path / "after"
    invoke = CliRunner().invoke
    done = invoke(cli, ["server", "init-db", "--home", str(home), "--catalog", str(catalog_dir), "--json"])
    assert done.exit_code == 0, done.output
    assert (home / "server.db").is_file()
    listed = invoke(cli, ["server", "submissions", "--json", "--home", str(home)])
    assert listed.exit_code == 0 and json.loads(listed.output) == []
    nested = invoke(cli, ["server", "holidays", "list", "--home", str(home), "--json"])
    assert nested.exit_code == 0, nested.output
    # the subcommand's --home wins over the group's
    elsewhere = tmp_path / "elsewhere"
    later = invoke(cli, ["server", "--home", str(elsewhere), "submissions", "--home", str(home), "--json"])
    assert later.exit_code == 0 and json.loads(later.output) == []
    assert not (elsewhere / "server.db").exists()


@pytest.mark.parametrize(
    "args",
    [["kiosk", "status", "--json"], ["schema", "catalog", "--json"]],
    ids=["kiosk", "schema"],
)
def test_other_groups_take_home_after_the_subcommand(tmp_path, args):
    home = tmp_path / "h"
    result = CliRunner().invoke(cli, [*args, "--home", str(home)])
    assert "No such option" not in result.output and result.exit_code == 0, result.output
    if args[0] == "kiosk":
        assert (home / "kiosk.db").is_file()  # the kiosk really used this folder


def test_an_unreachable_database_is_named_not_dumped(tmp_path):
    port = free_port()  # nothing listens there
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/nowhere"
    code, out = run(tmp_path, url, "submissions", "--json")
    assert code != 0 and "cannot reach the database" in json.loads(out)["message"]
    assert "Traceback" not in out
