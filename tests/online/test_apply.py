"""The apply flow end to end on the server: matter, applicant, uploads scanned by a real
scan runner, the one-time list of what is missing, promise, delivery, submit (twice: one
case), receipt SMS, routed like a kiosk case and marked online in the inbox.

The scan runs in this process (``ScanRunner.run``: the scan worker's own code, the kiosk's
real pipeline) on one phone photo used for both materials, so each backend scans once.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from kiosk.scan.synth.photos import phone_photos
from shared_schema import Catalog
from sync_server.blobstore import LocalBlobStore
from sync_server.catalog_sync import load_catalog_into
from sync_server.db import get_db
from sync_server.models import Submission
from sync_server.online.models import ApplicationPage
from sync_server.scan_queue import get_queue
from sync_server.scan_worker import ScanRunner
from sync_server.workspace.models import SmsLogEntry
from tests.server.factories import HOME_MATTER, QINSHUI, catalog_data, id_number
from tests.workspace.conftest import DEPT_A, new_case

from .conftest import PHONE, Phone
from .test_uploads import start_application


@pytest.fixture(scope="module")
def photo() -> bytes:
    return phone_photos(1, seed=0)[0]  # a page the quality gate accepts


@pytest.fixture(scope="module")
def runner() -> Iterator[dict[str, ScanRunner]]:
    """One scan runner for the module: the pipeline (its OCR models) loads once."""
    yield {}


def scan_all(app: Flask, cache: dict[str, ScanRunner]) -> None:
    runner = cache.get("runner")
    if runner is None:
        runner = cache["runner"] = ScanRunner(
            get_db(app), LocalBlobStore(app.config["BLOB_DIR"]), get_queue(app)
        )
    runner.db, runner.blobs, runner.queue = (
        get_db(app),
        LocalBlobStore(app.config["BLOB_DIR"]),
        get_queue(app),
    )
    with get_db(app).transaction() as session:
        jobs = set(session.scalars(select(ApplicationPage.job_id)))
    for job in jobs:
        runner.run(job)


def upload(browser: Phone, app_id: str, requirement: str, data: bytes) -> None:
    response = browser.http.post(
        f"/online/apply/{app_id}/materials/{requirement}",
        data={"csrf_token": browser.csrf, "file": (io.BytesIO(data), "photo.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)


def test_apply_submit_twice_one_case_routed_and_marked_online(
    app: Flask,
    resident: Phone,
    photo: bytes,
    runner: dict[str, ScanRunner],
    as_user: Any,
    client: Any,
    kiosk: Any,
) -> None:
    listing = resident.get("/online/matters?q=ylbx").get_data(as_text=True)  # pinyin initials, as on a kiosk
    assert "城乡居民养老保险参保登记" in listing
    app_id = start_application(resident)
    resident.get(f"/online/apply/{app_id}/applicant")
    bad = resident.post(f"/online/apply/{app_id}/applicant", {"kind": "person", "name": "李四",
                        "id_number": "140521199805171230", "home_division": QINSHUI})  # fmt: skip
    assert bad.status_code == 400 and "身份证号码" in bad.get_data(as_text=True)

    details = {"kind": "person", "name": "李四", "id_number": id_number(QINSHUI), "home_division": QINSHUI}
    assert resident.post(f"/online/apply/{app_id}/applicant", details).status_code == 303
    missing = resident.get(f"/online/apply/{app_id}/review").get_data(as_text=True)
    # every missing material at once (一次性告知)
    assert "缺少材料：居民身份证" in missing and "缺少材料：城乡居民养老保险参保登记申请表" in missing
    assert resident.post(f"/online/apply/{app_id}/submit", {"promise": "yes"}).status_code == 409

    resident.get(f"/online/apply/{app_id}/materials")
    upload(resident, app_id, "id_card", photo)
    upload(resident, app_id, "form", photo)
    scan_all(app, runner)
    page = resident.get(f"/online/apply/{app_id}/materials").get_data(as_text=True)
    assert page.count("已识别") == 2, page
    scans = resident.http.get(f"/online/apply/{app_id}/scans").get_json()
    assert scans["reading"] == 0 and {p["state"] for p in scans["pages"]} == {"done"}

    review = resident.get(f"/online/apply/{app_id}/review").get_data(as_text=True)
    assert "材料齐全" in review, re.findall(r"<li>([^<]+)</li>", review)
    # pickup stations grouped by county, counties in code order (城区 140502, 泽州县 140525)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', review, re.S)
    assert [(county, re.findall(r'value="(\w+)"', body)) for county, body in groups] == [
        ("城区", ["ST02"]),
        ("泽州县", ["ST01"]),
    ]
    refused = resident.post(f"/online/apply/{app_id}/submit", {"delivery": "pickup", "station": "ST01"})
    assert refused.status_code == 400 and "承诺" in refused.get_data(as_text=True)

    form = {"delivery": "pickup", "station": "ST01", "promise": "yes"}
    first = resident.post(f"/online/apply/{app_id}/submit", form)
    second = resident.post(f"/online/apply/{app_id}/submit", form)  # the double tap
    assert first.status_code == second.status_code == 303
    done = resident.get(f"/online/apply/{app_id}/done").get_data(as_text=True)
    receipt = re.search(r'class="receipt">([^<]+)<', done).group(1)
    assert receipt.startswith("WSZQ140500-WS140500-")
    # 一次一评: the collection is rated right here, once (tests/online/test_collection_rating.py)
    assert "评价网上收件" in done and f"/online/cases/{receipt}/collection-rating" in done
    rated = resident.post(f"/online/cases/{receipt}/collection-rating", {"score": "4"})
    assert rated.status_code == 303
    assert "评价网上收件" not in resident.get(f"/online/apply/{app_id}/done").get_data(as_text=True)

    with get_db(app).transaction() as session:
        cases = session.scalars(select(Submission)).all()
        texts = session.scalars(select(SmsLogEntry.text).where(SmsLogEntry.phone == PHONE)).all()
    assert len(cases) == 1
    case = cases[0]
    assert (case.receipt_no, case.source, case.applicant_phone) == (receipt, "online", PHONE)
    assert case.manifest["channel"] == "online" and case.manifest["delivery"]["station_code"] == "ST01"
    assert case.department_code == DEPT_A  # home acceptance: the applicant's home county, as from a kiosk
    assert sum(receipt in t for t in texts) == 1  # one receipt SMS, plain text, no link
    assert not any("http" in t for t in texts)
    assert resident.post(f"/online/apply/{app_id}/applicant", {"name": "x"}).status_code == 303  # to done

    new_case(app, client, kiosk)  # a kiosk case beside it
    reviewer = as_user("rev_a")
    inbox = reviewer.get("/workspace/inbox").get_data(as_text=True)
    row = next(r for r in inbox.split("<tr") if receipt in r)
    assert "网上" in row
    assert sum("channel-kiosk" in r for r in inbox.split("<tr")) == 1

    # decided like any case; the paper result waits at the station the resident chose
    assert reviewer.post(f"/workspace/submissions/{case.id}/accept", {"opinion": "齐全"}).status_code == 303
    result = {"opinion": "准予", "result_kind": "paper", "delivery": "pickup"}
    assert reviewer.post(f"/workspace/submissions/{case.id}/complete", result).status_code == 303
    assert "李四" in as_user("station").get("/workspace/pickups").get_data(as_text=True)  # ST01's desk


def test_only_online_matters_are_offered(app: Flask, resident: Phone, restore_catalog: None) -> None:
    data = catalog_data("2026.02.01")
    for matter in data["matters"]:
        if matter["code"] == HOME_MATTER:
            matter["online"] = False
    with get_db(app).transaction(write=True) as session:
        load_catalog_into(session, Catalog.parse(data))
    assert "城乡居民养老保险参保登记" not in resident.get("/online/matters").get_data(as_text=True)
    assert resident.get(f"/online/matters/{HOME_MATTER}").status_code == 404
    assert resident.post("/online/apply", {"matter": HOME_MATTER}).status_code == 404
    with get_db(app).transaction() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 0
