"""The case page shows a station handover (who, to whom, how identity was checked, the
masked ID number) and the resident's rating at handling with its national 好差评 level."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from shared_schema.handover import masked_id
from sync_server.db import get_db
from sync_server.models import Submission

from .conftest import new_case
from .test_actions import act


def test_the_case_page_shows_the_handover_and_the_rating(app, client, kiosk, as_user):
    case = new_case(app, client, kiosk)
    rev = as_user("rev_a")
    rev.get(f"/workspace/submissions/{case}")
    assert act(rev, case, "accept", {"opinion": "材料齐全"}).status_code == 303
    done = act(rev, case, "complete", {"opinion": "准予登记", "result_kind": "paper", "delivery": "pickup"})
    assert done.status_code == 303, done.get_data(as_text=True)
    with get_db(app).transaction() as session:
        sub = session.scalars(select(Submission).where(Submission.id == case)).one()
        receipt_no, id_number = sub.receipt_no, sub.applicant_id_number
    masked = masked_id(id_number)
    handover = {
        "handover_uuid": str(uuid.uuid4()), "receipt_no": receipt_no, "station_code": kiosk.station_code,
        "handed_by": "李明", "handed_to": "张三", "identity_check": "receipt_qr_and_id_number",
        "id_number_masked": masked, "handed_at": "2026-01-20T09:15:00+08:00",
    }  # fmt: skip
    assert client.post("/handovers", kiosk, json=handover).status_code == 201
    rating = {
        "evaluation_uuid": str(uuid.uuid4()), "receipt_no": receipt_no, "station_code": kiosk.station_code,
        "at_stage": "handle", "score": 2, "reasons": ["too_slow"], "comment": "等得久",
        "created_at": "2026-01-20T09:17:00+08:00",
    }  # fmt: skip
    assert client.post("/evaluations", kiosk, json=rating).status_code == 201

    page = rev.get(f"/workspace/submissions/{case}").get_data(as_text=True)
    assert "已送达" in page
    assert "服务站交付 张三（回执二维码及身份证号码核验，证件号 " + masked + "），经办人 李明" in page
    assert "2026-01-20 09:15" in page
    assert "办结送达后评价：<strong>不满意</strong>（2 分） 办理时间长" in page
    assert "“等得久”" in page
