"""Personal data: every view is audited, nothing personal in URLs or logs, hostile OCR stays text."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select

from sync_server.db import get_db
from sync_server.models import Submission, SubmissionLookup
from sync_server.workspace.models import AuditEntry
from tests.server.factories import make_manifest

from .conftest import new_case, submit

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)><b>粗体</b>'


def test_views_are_audited_with_who_what_when_where(app, client, kiosk, as_user):
    case = new_case(app, client, kiosk)
    rev = as_user("rev_a")
    rev.get(f"/workspace/submissions/{case}")
    rev.get(f"/workspace/submissions/{case}/pages/1")
    rev.get(f"/workspace/submissions/{case}/forms/receipt_notice.pdf")
    rev.get("/workspace/ledger.csv")
    with get_db(app).transaction() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.username == "rev_a").order_by(AuditEntry.id)
        ).all()
        receipt = session.get(Submission, case).receipt_no
    actions = [r.action for r in rows]
    assert actions[0] == "login"
    assert {"review", "page_image", "form_pdf", "ledger_export", "inbox"} <= set(actions)
    page = next(r for r in rows if r.action == "page_image")
    assert page.submission_id == case and page.receipt_no == receipt and page.detail == {"position": 1}
    assert page.remote_addr == "127.0.0.1" and page.at is not None and page.role == "reviewer"
    auditor = as_user("auditor")
    text = auditor.get("/workspace/audit?user=rev_a&action=page_image").get_data(as_text=True)
    assert "查看材料页面" in text and receipt in text
    assert "张三" not in text  # the audit log names cases, not applicants


def test_search_by_id_number_is_post_only_and_uses_the_digest(app, client, kiosk, as_user, caplog):
    case = new_case(app, client, kiosk)
    with get_db(app).transaction() as session:
        sub = session.get(Submission, case)
        number, receipt = sub.applicant_id_number, sub.receipt_no
        digest = session.get(SubmissionLookup, case).id_digest
    assert number not in digest and len(digest) == 64
    rev = as_user("rev_a")
    caplog.set_level(logging.DEBUG)
    found = rev.post("/workspace/search", {"q": number.lower()})
    text = found.get_data(as_text=True)
    assert found.status_code == 200 and receipt in text and "查询到 1 件" in text
    assert number not in text  # shown masked only
    assert rev.get(f"/workspace/search?q={number}").status_code == 405
    assert receipt in rev.post("/workspace/search", {"q": receipt}).get_data(as_text=True)
    assert "查询到 0 件" in rev.post("/workspace/search", {"q": "14052119980517999X"}).get_data(as_text=True)
    other = as_user("rev_b")
    assert "查询到 0 件" in other.post("/workspace/search", {"q": number}).get_data(as_text=True)
    inbox = rev.get("/workspace/inbox").get_data(as_text=True)
    for url in re.findall(r'(?:href|src|action)="([^"]+)"', inbox):
        assert number not in url and "张三" not in url
    assert number not in caplog.text and "张三" not in caplog.text and "13800138000" not in caplog.text
    with get_db(app).transaction() as session:
        searches = session.scalars(select(AuditEntry).where(AuditEntry.action == "search_id")).all()
    assert [s.detail["hits"] for s in searches] == [1, 0, 0]  # mine, an unknown number, another department
    assert all(number not in str(s.detail) for s in searches)


def test_hostile_ocr_text_is_shown_as_text(app, client, kiosk, as_user):
    manifest, blobs = make_manifest(kiosk.kiosk_id, seq=7)
    data = manifest.model_dump(mode="json")
    data["materials"][1]["pages"][0]["ocr_text"] = HOSTILE
    data["materials"][1]["pages"][0]["fields"] = {"name": "<i>李四</i>", "id_number": "110101199003070000"}
    data["materials"][0]["name"] = '居民身份证"><script>x()</script>'
    manifest = type(manifest).parse(data)
    assert submit(client, kiosk, manifest, blobs).status_code == 201
    rev = as_user("rev_a")
    with get_db(app).transaction() as session:
        case = session.scalar(select(Submission.id).where(Submission.receipt_no == manifest.receipt_no))
    page = rev.get(f"/workspace/submissions/{case}")
    html = page.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>粗体" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html and "&lt;b&gt;粗体&lt;/b&gt;" in html
    assert "<script>x()" not in html and "<i>李四" not in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "与申请人姓名不一致" in html and "校验位或出生日期无效" in html
