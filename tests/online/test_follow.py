"""Following an online case from the phone: correction to the same case, result, rating — and
nobody else's case (404), on SQLite and PostgreSQL.

The reviewer decides over the workspace's HTTP forms, the resident signs in with the code
from ``sms_log``; both sides are the real app.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from kiosk.scan.synth.photos import phone_photos
from sync_server.db import get_db
from sync_server.models import Evaluation, Submission, SubmissionPage, Supplement
from sync_server.online.correction_pages import CorrectionPage
from sync_server.scan_worker import runner_from_config
from sync_server.workspace.models import AuditEntry
from tests.server.factories import QINSHUI, id_number
from tests.workspace.conftest import as_user, new_case, password_hash, staff  # noqa: F401  (fixtures)
from tests.workspace.test_actions import sample_pdf

from .conftest import OTHER_PHONE, PHONE, Phone


def online_case(app: Flask, client: Any, kiosk: Any, seq: int, phone: str) -> tuple[int, str]:
    """A case whose applicant is ``phone``, marked as applied online (docs/online.md)."""
    applicant = {"kind": "person", "name": "王秀英", "id_number": id_number(QINSHUI), "phone": phone,
                 "home_division": QINSHUI + "200201"}  # fmt: skip
    case = new_case(app, client, kiosk, seq=seq, applicant=applicant)
    with get_db(app).transaction(write=True) as session:
        session.execute(update(Submission).where(Submission.id == case).values(source="online"))
        return case, session.get_one(Submission, case).receipt_no


def act(browser: Any, case: int, action: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    answer = browser.post(f"/workspace/submissions/{case}/{action}", data, **kw)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return answer


@pytest.fixture(scope="module")
def photo() -> bytes:
    return phone_photos(1, seed=0)[0]  # a page the quality gate accepts (the scan tests' generator)


def test_follow_correct_receive_and_rate(
    app: Flask,
    client: Any,
    kiosk: Any,
    as_user: Any,  # noqa: F811  (the workspace's fixture)
    resident: Phone,
    photo: bytes,
) -> None:
    mine, receipt = online_case(app, client, kiosk, 1, PHONE)
    theirs, their_receipt = online_case(app, client, kiosk, 2, OTHER_PHONE)
    kiosk_case, kiosk_receipt = online_case(app, client, kiosk, 3, PHONE)
    with get_db(app).transaction(write=True) as session:  # a kiosk case with the same phone
        session.execute(update(Submission).where(Submission.id == kiosk_case).values(source="api"))

    listing = resident.get("/online/cases").get_data(as_text=True)
    assert receipt in listing and their_receipt not in listing and kiosk_receipt not in listing
    page = resident.get(f"/online/cases/{receipt}").get_data(as_text=True)
    assert "待受理" in page and "受理或一次性告知补正的期限" in page
    for path in (f"/online/cases/{their_receipt}", f"/online/cases/{kiosk_receipt}", "/online/cases/NOPE-1"):
        assert resident.get(path).status_code == 404, path

    rev = as_user("rev_a")
    rev.get(f"/workspace/submissions/{mine}")
    act(rev, mine, "correct", {"items_text": "户口簿本人页\n"})
    page = resident.get(f"/online/cases/{receipt}").get_data(as_text=True)
    assert (
        "补正告知（第 1 次）" in page
        and "户口簿本人页" in page
        and "需补正" in resident.get("/online/cases").get_data(as_text=True)
    )

    # Another phone cannot see the notice nor put anything into the case: 404, by form or script.
    other = Phone(app.test_client(), address="10.0.0.2")
    other.sign_in(app, OTHER_PHONE)
    assert other.get(f"/online/cases/{receipt}/correct").status_code == 404
    foreign = {"file": (io.BytesIO(photo), "page.jpg"), "csrf_token": other.csrf}
    assert (
        other.post(
            f"/online/cases/{receipt}/correct/item-1", foreign, content_type="multipart/form-data"
        ).status_code
        == 404
    )
    assert other.post(f"/online/cases/{receipt}/correct/send").status_code == 404
    headers = {"X-CSRF-Token": other.csrf, "Accept": "application/json"}
    target = {"target": f"correct:{receipt}:1:item-1", "size": len(photo), "filename": "page.jpg"}
    started = other.http.post("/online/uploads", json=target, headers=headers)
    assert started.status_code == 201, started.get_json()
    chunk = other.http.put(
        f"/online/uploads/{started.get_json()['upload_id']}?offset=0", data=photo, headers=headers
    )
    assert chunk.status_code == 404 and chunk.get_json()["message"] == "未找到该申请"

    # The missing page goes to the same case, through the upload and scan machinery, once.
    assert resident.get(f"/online/cases/{receipt}/correct").status_code == 200
    upload = {"file": (io.BytesIO(photo), "page.jpg"), "csrf_token": resident.csrf}
    posted = resident.post(
        f"/online/cases/{receipt}/correct/item-1", upload, content_type="multipart/form-data"
    )
    assert posted.status_code == 303, posted.get_data(as_text=True)
    scans = f"/online/cases/{receipt}/correct/scans"
    assert resident.get(scans).get_json()["reading"] == 1 and other.get(scans).status_code == 404
    early = resident.post(f"/online/cases/{receipt}/correct/send")
    assert early.status_code == 409 and "识别中" in early.get_data(as_text=True)
    with get_db(app).transaction() as session:
        jobs = list(session.scalars(select(CorrectionPage.job_id)))
    assert len(jobs) == 1 and runner_from_config(app.config).run(jobs[0])
    assert "已识别" in resident.get(f"/online/cases/{receipt}/correct").get_data(as_text=True)
    assert resident.get(scans).get_json()["pages"][0]["state"] == "done"
    sent = resident.post(f"/online/cases/{receipt}/correct/send")
    assert sent.status_code == 303 and sent.headers["Location"].endswith("done=supplemented")
    again = resident.post(f"/online/cases/{receipt}/correct/send")  # a second tap
    assert again.status_code == 303 and "done=" not in again.headers["Location"]
    assert "补正材料已提交" in resident.get(sent.headers["Location"]).get_data(as_text=True)
    with get_db(app).transaction() as session:
        assert session.get_one(Submission, mine).state == "routed"
        assert session.scalar(select(func.count()).where(Supplement.submission_id == mine)) == 1
        added = session.scalars(select(SubmissionPage).where(SubmissionPage.supplement == 1)).all()
        assert [(p.submission_id, p.requirement_code) for p in added] == [(mine, "item-1")]
        assert session.scalar(select(func.count()).select_from(Submission)) == 3  # never a new application
    # the department sees the supplement on the same case
    assert "补正材料已收到" in rev.get(f"/workspace/submissions/{mine}").get_data(as_text=True)

    act(rev, mine, "accept", {"opinion": "材料齐全"})
    page = resident.get(f"/online/cases/{receipt}").get_data(as_text=True)
    assert "办理中" in page and "承诺办结期限" in page and "个工作日" in page
    form = {"opinion": "准予登记", "result_kind": "electronic_certificate", "delivery": "online",
            "delivery_reason": "申请人要求线上领取",
            "pdf": (io.BytesIO(sample_pdf(app)), "result.pdf")}  # fmt: skip
    act(rev, mine, "complete", form, content_type="multipart/form-data")
    stamped = rev.get(f"/workspace/submissions/{mine}/result.pdf").data
    page = resident.get(f"/online/cases/{receipt}").get_data(as_text=True)
    assert "已办结" in page and "下载电子结果" in page and "评价本次办理" in page
    link = _result_link(page)

    # Someone else's phone: the same 404 for the case, its result and its rating.
    assert other.get(link).status_code == 404
    assert other.get(f"/online/cases/{receipt}").status_code == 404
    assert other.post(f"/online/cases/{receipt}/rating", {"score": "1"}).status_code == 404
    assert resident.get(link.replace(receipt, their_receipt)).status_code == 404

    download = resident.get(link)
    assert download.status_code == 200 and download.data == stamped and download.mimetype == "application/pdf"
    with get_db(app).transaction() as session:
        assert session.get_one(Submission, mine).state == "delivered"  # 线上领取: delivered when fetched
        assert session.scalar(select(func.count()).where(AuditEntry.action == "online_result_download")) == 1

    answer = resident.post(
        f"/online/cases/{receipt}/rating", {"score": "5", "reason": ["fast"], "comment": "很方便"}
    )
    assert answer.status_code == 303
    page = resident.get(f"/online/cases/{receipt}").get_data(as_text=True)
    assert "感谢您的评价" not in page and "您的评价" in page and "非常满意" in page
    twice = resident.post(f"/online/cases/{receipt}/rating", {"score": "1"})
    assert twice.status_code == 409 and "一次一评" in twice.get_data(as_text=True)
    with get_db(app).transaction() as session:
        rows = session.scalars(select(Evaluation).where(Evaluation.receipt_no == receipt)).all()
        assert [(r.channel, r.at_stage, r.score) for r in rows] == [("online", "handle", 5)]
    assert theirs  # untouched: still waiting for its department
    assert resident.post(f"/online/cases/{receipt}/rating", {"score": "9"}).status_code == 400


def _result_link(page: str) -> str:
    start = page.index("/online/cases/", page.index("下载电子结果") - 300)
    return page[start : page.index('"', start)]
