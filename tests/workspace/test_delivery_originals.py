"""Delivery starts at the applicant's choice (a change needs a reason, kept in the history);
electronic results only where the guide offers them; mailed originals are confirmed on
arrival and the inbox finds the cases still waiting; the SMS says only what happens."""

from __future__ import annotations

import copy
import io
import re
from datetime import date, timedelta

from sqlalchemy import select

from sync_server.db import get_db
from sync_server.models import Matter
from sync_server.workspace.models import AuditEntry, OriginalArrival, SmsLogEntry
from tests.server.factories import HOME_MATTER

from .conftest import new_case
from .test_actions import act, last_event, sample_pdf, state
from .test_inbox import receipts
from .test_paperwork import pdf_text


def change_guide(app, change) -> None:  # type: ignore[no-untyped-def]
    """Edit the stored matter the way a new catalog release would."""
    with get_db(app).transaction(write=True) as session:
        matter = session.get(Matter, HOME_MATTER)
        body = copy.deepcopy(matter.body)
        change(body)
        matter.body = body


def selected_delivery(html: str) -> str:
    select_html = re.search(r'<select name="delivery">(.*?)</select>', html, re.S).group(1)
    return re.search(r'<option value="(\w+)" selected', select_html).group(1)


def sms_texts(app) -> list[str]:
    with get_db(app).transaction() as session:
        return list(session.scalars(select(SmsLogEntry.text).order_by(SmsLogEntry.id)))


def test_delivery_defaults_to_the_applicant_and_a_change_needs_a_reason(app, client, kiosk, as_user):
    case = new_case(app, client, kiosk)  # the applicant chose pickup at the kiosk
    rev = as_user("rev_a")
    act(rev, case, "accept")
    page = rev.get(f"/workspace/submissions/{case}").get_data(as_text=True)
    assert selected_delivery(page) == "pickup" and "（申请人选择）" in page
    assert 'value="electronic"' not in page  # the guide names only a paper result

    mail = {"opinion": "准予", "result_kind": "paper", "delivery": "mail", "tracking_no": "SF77"}
    refused = act(rev, case, "complete", mail)
    assert refused.status_code == 400 and "请填写变更送达方式的理由" in refused.get_data(as_text=True)
    assert selected_delivery(refused.get_data(as_text=True)) == "mail"  # what staff picked is kept
    assert state(app, case).state == "accepted"
    assert (
        act(rev, case, "complete", {**mail, "delivery": "electronic", "delivery_reason": "x"}).status_code
        == 400
    )

    assert (
        act(rev, case, "complete", {**mail, "delivery_reason": "申请人来电改为邮寄到家"}).status_code == 303
    )
    detail = last_event(app, case).detail
    assert detail["applicant_choice"] == "pickup" and detail["delivery"] == "mail"
    assert detail["delivery_reason"] == "申请人来电改为邮寄到家"
    history = rev.get(f"/workspace/submissions/{case}").get_data(as_text=True)
    assert "送达方式由申请人选择的「送至收件站点领取」改为「邮寄」，理由：申请人来电改为邮寄到家" in history
    assert sms_texts(app)[-1].endswith("申请已办结，办理结果已邮寄，快递单号SF77。")

    # unchanged: no reason asked, none recorded; the SMS names the station, nothing more
    other = new_case(app, client, kiosk, seq=2)
    act(rev, other, "accept")
    paper = {"opinion": "准予", "result_kind": "paper", "delivery": "pickup"}
    assert act(rev, other, "complete", paper).status_code == 303
    assert "delivery_reason" not in last_event(app, other).detail
    assert "办理结果将送至" in sms_texts(app)[-1] and "领取" in sms_texts(app)[-1]
    assert "核验码" not in sms_texts(app)[-1]  # a paper result carries no code


def test_electronic_delivery_where_the_guide_offers_it(app, client, kiosk, as_user, restore_catalog):
    change_guide(app, lambda body: body.update(result_kinds=["electronic_certificate", "paper"]))
    case = new_case(app, client, kiosk)
    rev = as_user("rev_a")
    act(rev, case, "accept")
    assert 'value="electronic"' in rev.get(f"/workspace/submissions/{case}").get_data(as_text=True)
    paper = {
        "opinion": "准予",
        "result_kind": "paper",
        "delivery": "electronic",
        "delivery_reason": "申请人要求",
    }
    assert act(rev, case, "complete", paper).status_code == 400  # electronic needs the PDF result
    form = {**paper, "result_kind": "electronic_certificate", "pdf": (io.BytesIO(sample_pdf(app)), "r.pdf")}
    assert act(rev, case, "complete", form, content_type="multipart/form-data").status_code == 303
    assert last_event(app, case).detail["delivery"] == "electronic"
    text = sms_texts(app)[-1]
    assert "电子办理结果已出具" in text and "结果核验码" in text and "自助终端" not in text
    assert act(rev, case, "deliver").status_code == 303  # the reviewer confirms the electronic handover
    assert last_event(app, case).detail["how"] == "electronic"
    card = pdf_text(rev.get(f"/workspace/submissions/{case}/forms/flow_card.pdf").data)
    assert "电子结果自助打印，已送达" in card  # the flow card's 送达 stage names the method used


def test_mailed_originals_confirmed_and_filtered(app, client, kiosk, as_user, restore_catalog):
    def mark(body) -> None:  # type: ignore[no-untyped-def]
        body["guide"]["materials"][0]["original_by_mail"] = True  # 居民身份证 (id_card)

    change_guide(app, mark)
    waiting, arrived = new_case(app, client, kiosk, seq=1), new_case(app, client, kiosk, seq=2)
    rev = as_user("rev_a")
    page = rev.get(f"/workspace/submissions/{waiting}").get_data(as_text=True)
    assert "需寄送的原件" in page and "居民身份证" in page and "未到" in page
    both = receipts(rev.get("/workspace/inbox?originals=1").get_data(as_text=True))
    assert len(both) == 2

    url = f"/workspace/submissions/{arrived}/originals/id_card"
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert rev.post(url, {"arrived_on": tomorrow}).status_code == 400
    assert rev.post(url, {"arrived_on": "not a date"}).status_code == 400
    assert (
        rev.post(f"/workspace/submissions/{arrived}/originals/form", {"arrived_on": "2026-01-06"}).status_code
        == 400
    )
    assert as_user("rev_b").post(url, {"arrived_on": "2026-01-06"}).status_code == 404  # not their case
    done = rev.post(url, {"arrived_on": "2026-01-06"})
    assert done.status_code == 303
    assert rev.post(url, {"arrived_on": "2026-01-06"}).status_code == 409
    shown = rev.get(f"/workspace/submissions/{arrived}").get_data(as_text=True)
    assert "已于 2026-01-06 寄达" in shown

    still = receipts(rev.get("/workspace/inbox?originals=1").get_data(as_text=True))
    assert len(still) == 1 and still[0] in page
    with get_db(app).transaction() as session:
        row = session.scalars(select(OriginalArrival)).one()
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "original_arrived")).one()
    assert row.submission_id == arrived and row.confirmed_by == "rev_a" and row.arrived_on == date(2026, 1, 6)
    assert entry.detail == {"material": "id_card", "arrived_on": "2026-01-06"}

    act(rev, waiting, "reject", {"reason": "不符合条件"})  # a rejected case waits for nothing
    assert receipts(rev.get("/workspace/inbox?originals=1").get_data(as_text=True)) == []
