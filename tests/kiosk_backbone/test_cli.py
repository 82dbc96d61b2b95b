"""``tongban kiosk …`` end to end: enroll, submit, status, catalog, sync, export, purge."""

from __future__ import annotations

import dataclasses
import json
import socket
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.scripted.documents import demo_person, write_person
from kiosk.scripted.papers import PERSON_FILE
from kiosk.store import KioskStore, Outbox
from kiosk.store.identity import load_identity, save_identity
from tests.support.live_server import LiveServer
from tongban_cli.main import cli

from .conftest import STATION, applicant, jpeg_page

MATTER = "JC-RS-001"  # id_card_front, id_card_back, household_register (2 pages), registration_form


def _run(home: Path, *args: str, code: int = 0) -> dict:
    result = CliRunner().invoke(cli, ["kiosk", "--home", str(home), *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return json.loads(result.output) if "--json" in args else {"text": result.output}


def _pages(folder: Path, seed: int, n: int) -> list[str]:
    paths = []
    for i in range(n):
        paths.append(folder / f"p{seed}-{i}.jpg")
        paths[-1].write_bytes(jpeg_page(seed + i))
    return [str(p) for p in paths]


def _applicant_file(folder: Path, body: dict) -> str:
    path = folder / f"applicant-{len(list(folder.glob('applicant-*')))}.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def kiosk_home(tmp_path: Path, server: LiveServer) -> Path:
    home = tmp_path / "k"
    _run(home, "enroll", "--server", server.url, "--code", server.enrollment_code(STATION), "--json")
    return home


def test_headless_round_trip(tmp_path: Path, server: LiveServer) -> None:
    home = tmp_path / "k"
    catalog = _run(home, "catalog", "--json")
    assert catalog["source"] == "packaged demo" and any(m["code"] == MATTER for m in catalog["matters"])
    _run(home, "submit", "--matter", MATTER, "--applicant", str(tmp_path), code=2)  # not a file
    who = _run(home, "enroll", "--server", server.url, "--code", server.enrollment_code(STATION), "--json")
    assert who["station_code"] == STATION and "secret" not in who
    person = _applicant_file(tmp_path, applicant(300))
    form = f"registration_form={_pages(tmp_path, 399, 1)[0]}"
    args = ["--applicant", person, "--pages", *_pages(tmp_path, 300, 4), "--material", form]
    out = _run(home, "submit", "--matter", MATTER, *args, "--json")
    assert out["receipt_no"].startswith(f"{STATION}-{who['kiosk_id']}-") and out["pages"] == 5
    assert out["complete"] and out["issues"] == [] and out["incomplete_reason"] is None
    good_id = applicant(301)["id_number"]
    wrong = good_id[:-1] + ("1" if good_id[-1] != "1" else "2")  # wrong check digit
    bad = _applicant_file(tmp_path, {**applicant(301), "id_number": wrong})
    failed = _run(home, "submit", "--matter", MATTER, "--applicant", bad, *args[2:], "--json", code=2)
    assert "id_number" in failed["message"]
    status = _run(home, "status", "--json")
    assert status["counts"] == {"finalized": 1} and status["kiosk"]["kiosk_id"] == who["kiosk_id"]
    sync = _run(home, "sync", "--once", "--json")
    assert sync["ok"] and sync["pushed"]["acknowledged"] == 1
    one = _run(home, "status", out["receipt_no"], "--json")
    assert one["state"] == "routed"
    assert _run(home, "catalog", "--json")["source"] == "cache"
    assert _run(home, "export", "--to", str(tmp_path / "usb"), "--json", code=2)["error"].startswith(
        "nothing"
    )
    purged = _run(home, "purge", "--after-days", "0", "--json")
    assert purged["submissions"] == 1
    assert _run(home, "status", out["receipt_no"], "--json")["purged"] is True


def test_an_incomplete_submission_is_refused_unless_staff_say_why(
    tmp_path: Path, kiosk_home: Path, server: LiveServer
) -> None:
    person = _applicant_file(tmp_path, applicant(310))
    one_page = ["--matter", MATTER, "--applicant", person, *_pages(tmp_path, 310, 1)]
    refused = _run(kiosk_home, "submit", *one_page, "--json", code=2)
    assert refused["error"] == "incomplete" and "--allow-incomplete" in refused["message"]
    assert len(refused["issues"]) == 3  # id_card_back, household_register, registration_form
    text = _run(kiosk_home, "submit", *one_page, code=1)["text"]
    assert all(issue in text for issue in refused["issues"])  # each issue, in Chinese
    with KioskStore(kiosk_home) as store:
        assert Outbox(store).counts() == {}  # nothing queued, no receipt number taken
    assert _run(kiosk_home, "submit", *one_page, "--allow-incomplete", "--json", code=2)["error"] == (
        "invalid_input"
    )
    reason = "户口簿原件由窗口另行核验"
    out = _run(kiosk_home, "submit", *one_page, "--allow-incomplete", "--reason", reason, "--json")
    assert not out["complete"] and out["incomplete_reason"] == reason and len(out["issues"]) == 3
    assert _run(kiosk_home, "sync", "--once", "--json")["ok"]
    (manifest,) = server.query("SELECT manifest FROM submissions WHERE receipt_no = :r", r=out["receipt_no"])
    stored = manifest[0] if isinstance(manifest[0], dict) else json.loads(manifest[0])
    assert stored["incomplete_accepted"]["reason"] == reason
    assert stored["incomplete_accepted"]["by"] == "tongban kiosk submit"
    assert stored["completeness"]["complete"] is False


def test_the_demo_person_file_is_an_applicant_file(tmp_path: Path, kiosk_home: Path) -> None:
    write_person(tmp_path, demo_person())  # what the demo writes: name, id_number, phone, address
    form = f"registration_form={_pages(tmp_path, 320, 1)[0]}"
    out = _run(kiosk_home, "submit", "--matter", MATTER, "--applicant", str(tmp_path / PERSON_FILE),
               *_pages(tmp_path, 321, 4), "--material", form, "--json")  # fmt: skip
    with KioskStore(kiosk_home) as store:
        manifest = Outbox(store).manifest(out["client_uuid"])
    assert manifest.applicant.kind.value == "person"
    assert manifest.applicant.home_division.startswith("140522")  # proposed from the address


def test_unknown_matter_and_material_point_to_the_catalog(tmp_path: Path, kiosk_home: Path) -> None:
    person = _applicant_file(tmp_path, applicant(330))
    page = _pages(tmp_path, 330, 1)[0]
    out = _run(kiosk_home, "submit", "--matter", "NO-SUCH", "--applicant", person, page, "--json", code=2)
    assert "tongban kiosk catalog" in out["message"]
    out = _run(kiosk_home, "submit", "--matter", MATTER, "--applicant", person, "--material",
               f"passport={page}", "--json", code=2)  # fmt: skip
    assert "passport" in out["message"] and "id_card_front" in out["message"]


def test_re_enrolling_needs_force(tmp_path: Path, kiosk_home: Path, server: LiveServer) -> None:
    before = _run(kiosk_home, "status", "--json")["kiosk"]
    again = ["enroll", "--server", server.url, "--code", server.enrollment_code(STATION), "--json"]
    refused = _run(kiosk_home, *again, code=2)
    assert refused["error"] == "already_enrolled" and refused["kiosk_id"] == before["kiosk_id"]
    assert "--force" in refused["message"]
    assert _run(kiosk_home, "status", "--json")["kiosk"] == before  # identity untouched
    after = _run(kiosk_home, *again, "--force")
    assert after["kiosk_id"] != before["kiosk_id"]


@pytest.mark.parametrize("url", ["127.0.0.1:8000", "localhost", "ftp://10.0.0.5", "http://"])
def test_a_server_address_without_scheme_is_explained(tmp_path: Path, url: str) -> None:
    out = _run(tmp_path / "k", "enroll", "--server", url, "--code", "X", "--json", code=2)
    assert out["error"] == "invalid_server_url" and "http://" in out["message"]


def test_a_database_of_a_newer_release_stops_the_command_clearly(tmp_path: Path) -> None:
    home = tmp_path / "k"
    _run(home, "status", "--json")
    con = sqlite3.connect(home / "kiosk.db")
    con.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    con.commit()
    con.close()
    out = _run(home, "status", "--json", code=3)
    assert out["error"] == "migration_failed" and "newer release" in out["message"]


def test_an_unreachable_server_is_named_in_one_line(kiosk_home: Path) -> None:
    """The link is down (a closed port): one line naming the server, exit 1, nothing lost."""
    with socket.socket() as probe:  # a port nothing listens on once the probe closes
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    save_identity(kiosk_home, dataclasses.replace(load_identity(kiosk_home), server_url=closed))
    result = CliRunner().invoke(
        cli, ["kiosk", "--home", str(kiosk_home), "sync", "--once", "--tries", "1"], catch_exceptions=False
    )
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1, result.output
    assert f"cannot reach the server at {closed}" in result.output
    assert "HTTPConnectionPool" not in result.output and "Traceback" not in result.output
