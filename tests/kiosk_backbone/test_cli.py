"""``tongban kiosk …`` end to end: enroll, submit, status, catalog, sync, export, purge."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.support.live_server import LiveServer
from tongban_cli.main import cli

from .conftest import STATION, applicant, jpeg_page


def _run(home: Path, *args: str, code: int = 0) -> dict:
    result = CliRunner().invoke(cli, ["kiosk", "--home", str(home), *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return json.loads(result.output) if "--json" in args else {"text": result.output}


def test_headless_round_trip(tmp_path: Path, server: LiveServer) -> None:
    home = tmp_path / "k"
    catalog = _run(home, "catalog", "--json")
    assert catalog["source"] == "packaged demo" and any(m["code"] == "JC-RS-001" for m in catalog["matters"])
    _run(home, "submit", "--matter", "JC-RS-001", "--applicant", str(tmp_path), code=2)  # not a file
    who = _run(home, "enroll", "--server", server.url, "--code", server.enrollment_code(STATION), "--json")
    assert who["station_code"] == STATION and "secret" not in who
    (tmp_path / "a.json").write_text(json.dumps(applicant(300)), encoding="utf-8")
    pages = []
    for i in range(3):
        pages.append(tmp_path / f"p{i}.jpg")
        pages[-1].write_bytes(jpeg_page(300 + i))
    (tmp_path / "form.jpg").write_bytes(jpeg_page(399))
    form = f"registration_form={tmp_path / 'form.jpg'}"
    args = ["--applicant", str(tmp_path / "a.json"), "--pages", *map(str, pages), "--material", form]
    out = _run(home, "submit", "--matter", "JC-RS-001", *args, "--json")
    assert out["receipt_no"].startswith(f"{STATION}-{who['kiosk_id']}-") and out["pages"] == 4
    assert out["issues"] == ["居民户口簿（户主页及本人页）页数不足（至少2页）"]  # 3 loose pages: 1 + 1 + 1
    bad = tmp_path / "bad.json"
    good_id = applicant(301)["id_number"]
    wrong = good_id[:-1] + ("1" if good_id[-1] != "1" else "2")  # wrong check digit
    bad.write_text(json.dumps({**applicant(301), "id_number": wrong}), encoding="utf-8")
    failed = _run(home, "submit", "--matter", "JC-RS-001", "--applicant", str(bad), "--pages", str(pages[0]),
                  "--json", code=2)  # fmt: skip
    assert "id_number" in json.dumps(failed)
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
