"""Originals mailed with the transfer slip (POST /original-mailings), on SQLite and PostgreSQL.

The station's tracking number joins the case exactly once (replay → the same signed
bytes, other content → 409, a second mailing → 409), only from the collecting station and
only for a case whose guide wants an original by post; the department's originals view
and the transfer slip (附录 B) show it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from shared_schema.mailing import OriginalMailingAck
from sync_server.db import get_db
from sync_server.models import OriginalMailing, Submission

from .conftest import new_case
from .test_delivery_originals import change_guide
from .test_paperwork import pdf_text

MAILED_AT = datetime(2026, 1, 6, 16, 30, tzinfo=UTC)


def mark_id_card(body: dict[str, Any]) -> None:
    body["guide"]["materials"][0]["original_by_mail"] = True  # 居民身份证 (id_card)


def receipt(app, case: int) -> str:
    with get_db(app).transaction() as session:
        return session.get_one(Submission, case).receipt_no


def mailing(receipt_no: str, kiosk, **over: Any) -> dict[str, Any]:
    body = {
        "mailing_uuid": str(uuid.uuid4()),
        "receipt_no": receipt_no,
        "station_code": kiosk.station_code,
        "tracking_no": "EA123456789CN",
        "recorded_by": "李明",
        "mailed_at": MAILED_AT.isoformat(),
    }
    return {**body, **over}


def test_a_tracking_number_joins_the_case_exactly_once(app, client, kiosk, other_kiosk, restore_catalog):
    change_guide(app, mark_id_card)
    case = new_case(app, client, kiosk)
    body = mailing(receipt(app, case), kiosk)
    first = client.post("/original-mailings", kiosk, json=body)
    assert first.status_code == 201, first.get_json()
    ack = OriginalMailingAck.model_validate_json(first.data)
    assert (ack.tracking_no, ack.materials) == ("EA123456789CN", ["id_card"])
    replay = client.post("/original-mailings", kiosk, json=body)  # the ack was lost
    assert (replay.status_code, replay.data) == (200, first.data)

    changed = client.post("/original-mailings", kiosk, json={**body, "tracking_no": "SF1234567890123"})
    assert (changed.status_code, changed.get_json()["error"]) == (409, "conflict")
    second = client.post("/original-mailings", kiosk, json=mailing(receipt(app, case), kiosk))
    assert (second.status_code, second.get_json()["error"]) == (409, "already_mailed")
    assert second.get_json()["details"]["tracking_no"] == "EA123456789CN"
    with get_db(app).transaction() as session:
        rows = session.scalars(select(OriginalMailing)).all()
    assert [(r.submission_id, r.tracking_no, r.recorded_by, r.mailed_at) for r in rows] == [
        (case, "EA123456789CN", "李明", MAILED_AT)
    ]


def test_refusals_store_nothing(app, client, kiosk, other_kiosk, restore_catalog):
    change_guide(app, mark_id_card)
    case = new_case(app, client, kiosk)
    number = receipt(app, case)
    elsewhere = client.post("/original-mailings", other_kiosk, json=mailing(number, other_kiosk))
    assert (elsewhere.status_code, elsewhere.get_json()["error"]) == (403, "not_your_station")
    posing = client.post("/original-mailings", other_kiosk, json=mailing(number, kiosk))
    assert posing.status_code == 403  # another station's code in the body
    unknown = client.post("/original-mailings", kiosk, json=mailing(number[:-4] + "9999", kiosk))
    assert (unknown.status_code, unknown.get_json()["error"]) == (404, "unknown_receipt")
    for bad in ("ea1", "EA 1234 5678", "x" * 40, ""):
        answer = client.post("/original-mailings", kiosk, json=mailing(number, kiosk, tracking_no=bad))
        assert (answer.status_code, answer.get_json()["error"]) == (422, "schema_violation"), bad
    change_guide(app, lambda body: body["guide"]["materials"][0].pop("original_by_mail"))
    nothing = client.post("/original-mailings", kiosk, json=mailing(number, kiosk))
    assert (nothing.status_code, nothing.get_json()["error"]) == (409, "no_originals_to_mail")
    with get_db(app).transaction() as session:
        assert session.scalars(select(OriginalMailing)).all() == []


def test_the_originals_view_and_the_transfer_slip_show_it(app, client, kiosk, as_user, restore_catalog):
    change_guide(app, mark_id_card)
    case = new_case(app, client, kiosk)
    rev = as_user("rev_a")
    slip = pdf_text(rev.get(f"/workspace/submissions/{case}/forms/transfer_slip.pdf").data)
    assert "随本单寄送原件：居民身份证" in slip and "快递单号：（服务站寄出时登记）" in slip
    assert "尚未登记快递单号" in rev.get(f"/workspace/submissions/{case}").get_data(as_text=True)

    sent = client.post("/original-mailings", kiosk, json=mailing(receipt(app, case), kiosk))
    assert sent.status_code == 201
    page = rev.get(f"/workspace/submissions/{case}").get_data(as_text=True)
    assert '服务站已于 2026-01-07 随转办单寄出，快递单号 <b class="tracking-no">EA123456789CN</b>' in page
    slip = pdf_text(rev.get(f"/workspace/submissions/{case}/forms/transfer_slip.pdf").data)
    assert "快递单号：EA123456789CN" in slip and "寄出日期：2026年1月7日" in slip

    plain = new_case(app, client, kiosk, seq=2)  # the guide wants no original of what it holds
    change_guide(app, lambda body: body["guide"]["materials"][0].pop("original_by_mail"))
    assert "原件寄送" not in pdf_text(rev.get(f"/workspace/submissions/{plain}/forms/transfer_slip.pdf").data)
