"""``tongban server enroll-codes``: many one-time codes in one call, each enrolls one kiosk."""

from __future__ import annotations

import csv
import json
import stat

from .conftest import ApiClient
from .factories import STATION_CHENGQU, STATION_ZEZHOU
from .test_cli import catalog_dir, run  # noqa: F401  (fixture)


def test_many_codes_in_one_call_each_enrolls_once(app, db_url, tmp_path, catalog_dir):  # noqa: F811
    assert run(tmp_path, db_url, "init-db", "--catalog", str(catalog_dir))[0] == 0
    out = tmp_path / "codes.csv"
    code, text = run(tmp_path, db_url, "enroll-codes", "--station", STATION_ZEZHOU, "--station",
                     STATION_CHENGQU, "--count", "3", "--out", str(out), "--json")  # fmt: skip
    assert code == 0, text
    assert json.loads(text)["codes"] == 6
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # live credentials: owner only
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["station_code"] for r in rows] == [STATION_ZEZHOU] * 3 + [STATION_CHENGQU] * 3
    assert len({r["code"] for r in rows}) == 6
    client = ApiClient(app)
    kiosks = [client.post("/enroll", json={"code": r["code"]}).get_json() for r in rows]
    assert [k["station_code"] for k in kiosks] == [r["station_code"] for r in rows]
    again = client.post("/enroll", json={"code": rows[0]["code"]})
    assert again.status_code == 404 and again.get_json()["error"] == "code_spent"  # one code, one kiosk

    code, text = run(tmp_path, db_url, "enroll-codes", "--station", STATION_ZEZHOU, "--count", "1",
                     "--out", str(out), "--json")  # fmt: skip
    assert code != 0 and json.loads(text)["reason"] == "exists"
    code, text = run(tmp_path, db_url, "enroll-codes", "--station", "NOPE9", "--count", "2",
                     "--out", str(tmp_path / "none.csv"), "--json")  # fmt: skip
    assert code != 0 and json.loads(text)["reason"] == "unknown_station"
    assert not (tmp_path / "none.csv").exists()
    code, _ = run(tmp_path, db_url, "enroll-codes", "--station", STATION_ZEZHOU, "--count", "0",
                  "--out", str(tmp_path / "zero.csv"))  # fmt: skip
    assert code != 0
