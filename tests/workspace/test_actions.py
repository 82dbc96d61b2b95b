"""The decisions, end to end over HTTP: events, kiosk feed, SMS outbox, results, refusals."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from shared_schema.protocol import SIGNATURE_HEADER, verify
from sync_server.db import get_db
from sync_server.models import Submission, SubmissionEvent
from sync_server.workspace.models import CaseResult, SmsLogEntry, SmsMessage
from tests.server.factories import STATION_ZEZHOU, id_number

from .conftest import enroll_kiosk, new_case


def state(app, case: int) -> Submission:
    with get_db(app).transaction() as session:
        return session.get(Submission, case)


def last_event(app, case: int) -> SubmissionEvent:
    with get_db(app).transaction() as session:
        return session.scalars(
            select(SubmissionEvent)
            .where(SubmissionEvent.submission_id == case)
            .order_by(SubmissionEvent.id.desc())
        ).first()


def sample_pdf(app) -> bytes:
    from shared_schema.render.flow_card import render_flow_card  # any real PDF will do
    from sync_server.workspace import paperwork

    with get_db(app).transaction() as session:
        sub = session.scalars(select(Submission)).first()
        return render_flow_card(paperwork.flow_card(session, sub))


def act(browser, case: int, action: str, data=None, **kw):
    return browser.post(f"/workspace/submissions/{case}/{action}", data, **kw)


def test_full_life_of_a_case(app, client, kiosk, other_kiosk, as_user):
    case = new_case(app, client, kiosk)
    neighbour = enroll_kiosk(app, STATION_ZEZHOU)  # another kiosk at the collecting station
    rev = as_user("rev_a")
    rev.get(f"/workspace/submissions/{case}")

    answer = act(
        rev, case, "correct", {"item": ["请补正：居民身份证"], "items_text": "申请表第 2 页缺少签名\n"}
    )
    assert answer.status_code == 303 and state(app, case).state == "correction_requested"
    event = last_event(app, case)
    assert event.actor == "rev_a" and event.detail["items"] == ["请补正：居民身份证", "申请表第 2 页缺少签名"]
    again = act(rev, case, "correct", {"items_text": "还有一项"})
    assert again.status_code == 409 and "一次性" in again.get_data(as_text=True)

    assert act(rev, case, "accept", {"opinion": "材料齐全"}).status_code == 303
    accepted = state(app, case)
    assert (
        accepted.state == "accepted"
        and accepted.accepted_at
        and accepted.promised_due >= accepted.accepted_at.date()
    )
    assert act(rev, case, "accept").status_code == 409

    assert act(rev, case, "special_start", {"kind": "inspection", "reason": "现场勘验"}).status_code == 303
    assert "不计入承诺时限" in last_event(app, case).message_zh
    assert act(rev, case, "special_end", {"reason": "勘验合格"}).status_code == 303
    assert state(app, case).state == "accepted"

    pdf = sample_pdf(app)
    answer = act(rev, case, "complete", {"opinion": "准予登记", "result_kind": "electronic_certificate",
                                         "delivery": "pickup", "pdf": (io.BytesIO(pdf), "result.pdf")},
                 content_type="multipart/form-data")  # fmt: skip
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert state(app, case).state == "completed"

    # The kiosk feed: the collecting kiosk sees every decision; the neighbour the pickup.
    feed = client.get("/status-feed", kiosk).get_json()["events"]
    assert [e["state"] for e in feed][2:] == [
        "correction_requested", "accepted", "special_stage", "accepted", "completed"
    ]  # fmt: skip
    pickup = client.get("/status-feed", neighbour).get_json()["events"]
    assert len(pickup) == 1 and pickup[0]["detail"]["pickup_station"] == STATION_ZEZHOU
    result_id = pickup[0]["detail"]["result_id"]
    fetched = client.flask.get(f"/api/v1/results/{result_id}", headers=neighbour.headers)
    stamped = rev.get(f"/workspace/submissions/{case}/result.pdf").data  # with its 核验码 QR
    assert fetched.status_code == 200 and fetched.data == stamped and fetched.mimetype == "application/pdf"
    assert len(stamped) > len(pdf) and stamped.startswith(b"%PDF-")
    assert verify(neighbour.secret, fetched.data, fetched.headers[SIGNATURE_HEADER])
    assert client.flask.get(f"/api/v1/results/{result_id}", headers=other_kiosk.headers).status_code == 404
    assert client.flask.get(f"/api/v1/results/{result_id}").status_code == 401

    # The station hands it over after checking the ID number.
    desk = as_user("station")
    assert "张三" in desk.get("/workspace/pickups").get_data(as_text=True)
    wrong = act(desk, case, "deliver", {"id_check": id_number(serial=999)})
    assert wrong.status_code == 409 and state(app, case).state == "completed"
    with get_db(app).transaction() as session:
        right = session.get(Submission, case).applicant_id_number
    assert act(desk, case, "deliver", {"id_check": right.lower()}).status_code == 303
    assert state(app, case).state == "delivered"

    assert act(rev, case, "archive").status_code == 303
    archived = state(app, case)
    assert archived.state == "archived" and archived.archived_at
    card = rev.get(f"/workspace/submissions/{case}/forms/flow_card.pdf")
    assert card.status_code == 200 and card.data.startswith(b"%PDF-")

    with get_db(app).transaction() as session:
        texts = list(session.scalars(select(SmsLogEntry.text).order_by(SmsLogEntry.id)))
        pending = session.scalar(select(func.count()).where(SmsMessage.status == "pending"))
    assert len(texts) == 6 and pending == 0  # correct, accept, special ×2, complete, deliver
    assert all(t.startswith("【市域通办】") and "受理编号" in t for t in texts)
    assert "申请表第 2 页缺少签名" in texts[0] and "已受理" in texts[1] and "领取" in texts[4]


def test_refusals_leave_the_case_unchanged(app, client, kiosk, as_user):
    case = new_case(app, client, kiosk)
    rev = as_user("rev_a")
    rev.get(f"/workspace/submissions/{case}")
    assert (
        act(rev, case, "complete", {"opinion": "x", "result_kind": "paper", "delivery": "mail"}).status_code
        == 409
    )
    assert act(rev, case, "archive").status_code == 409
    assert act(rev, case, "special_start", {"kind": "review", "reason": "专家评审"}).status_code == 409
    assert act(rev, case, "correct", {"items_text": "  \n "}).status_code == 400
    assert act(rev, case, "reject", {"reason": " "}).status_code == 400
    assert state(app, case).state == "routed"

    assert act(rev, case, "accept").status_code == 303
    assert act(rev, case, "correct", {"items_text": "补正"}).status_code == 409  # only before acceptance
    assert act(rev, case, "special_start", {"kind": "bogus", "reason": "x"}).status_code == 400
    not_pdf = {"opinion": "准予", "result_kind": "electronic_certificate", "delivery": "pickup",
               "pdf": (io.BytesIO(b"<html>not a pdf</html>"), "x.pdf")}  # fmt: skip
    answer = act(rev, case, "complete", not_pdf, content_type="multipart/form-data")
    assert answer.status_code == 400 and "PDF" in answer.get_data(as_text=True)
    no_tracking = {"opinion": "准予", "result_kind": "paper", "delivery": "mail",
                   "delivery_reason": "申请人来电"}  # fmt: skip
    assert act(rev, case, "complete", no_tracking).status_code == 400
    paper_online = {"opinion": "准予", "result_kind": "paper", "delivery": "online"}
    assert act(rev, case, "complete", paper_online).status_code == 400
    app.config["RESULT_MAX_BYTES"] = 1000
    big = {"opinion": "准予", "result_kind": "electronic_certificate", "delivery": "pickup",
           "pdf": (io.BytesIO(b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF"), "big.pdf")}  # fmt: skip
    assert act(rev, case, "complete", big, content_type="multipart/form-data").status_code == 400
    assert state(app, case).state == "accepted"
    with get_db(app).transaction() as session:
        assert session.scalar(select(func.count()).select_from(CaseResult)) == 0

    mailed = {"opinion": "准予", "result_kind": "paper", "delivery": "mail", "tracking_no": "SF1234567890",
              "delivery_reason": "申请人来电要求改为邮寄"}  # fmt: skip
    assert act(rev, case, "complete", mailed).status_code == 303
    assert "SF1234567890" in last_event(app, case).message_zh
    assert act(rev, case, "deliver").status_code == 303
    assert last_event(app, case).detail["how"] == "mail"


def test_reject_before_and_after_acceptance(app, client, kiosk, as_user):
    first, second = new_case(app, client, kiosk, seq=1), new_case(app, client, kiosk, seq=2)
    rev = as_user("rev_a")
    rev.get(f"/workspace/submissions/{first}")
    assert act(rev, first, "reject", {"reason": "不属于本部门受理范围"}).status_code == 303
    event = last_event(app, first)
    assert event.detail["kind"] == "不予受理" and "不属于本部门受理范围" in event.message_zh
    assert act(rev, second, "accept").status_code == 303
    assert act(rev, second, "reject", {"reason": "不符合参保条件"}).status_code == 303
    assert last_event(app, second).detail["kind"] == "不予许可"
    assert act(rev, first, "archive").status_code == 303
    assert act(rev, first, "accept").status_code == 409
