"""The online applicant rates the collection (收件) too, once per case (一次一评, standard 9.1),
through the kiosk's own rating path: rated once, a second time refused (page and JSON),
another phone's attempt 404, a bad score opens a rectification — on SQLite and PostgreSQL.

The done page's form after a real submit is walked in ``test_apply``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from sync_server.db import get_db
from sync_server.models import Department, Evaluation, Rectification, Submission
from tests.workspace.conftest import as_user, password_hash, staff  # noqa: F401  (fixtures)

from .conftest import OTHER_PHONE, PHONE, Phone
from .test_follow import online_case

FORM_TITLE = "评价网上收件"


def test_collection_rated_once_by_its_own_applicant(
    app: Flask, client: Any, kiosk: Any, resident: Phone
) -> None:
    mine, receipt = online_case(app, client, kiosk, 1, PHONE)
    second, second_receipt = online_case(app, client, kiosk, 2, PHONE)
    rate = f"/online/cases/{receipt}/collection-rating"
    page = resident.get(f"/online/cases/{receipt}").get_data(as_text=True)
    assert FORM_TITLE in page and rate in page and "办理快捷" in page
    assert '<button type="submit" name="score" value="1">非常不满意</button>' in page  # one tap per level

    other = Phone(app.test_client(), address="10.0.0.2")
    other.sign_in(app, OTHER_PHONE)
    assert other.post(rate, {"score": "1"}).status_code == 404  # not theirs: the same 404 as a missing case
    assert resident.post("/online/cases/NOPE-1/collection-rating", {"score": "5"}).status_code == 404
    assert resident.post(rate, {"score": "9"}).status_code == 400
    assert resident.post(rate, {"score": "4", "comment": "a\x00b"}).status_code == 400
    assert resident.post(rate, {"score": "4", "reason": ["nope"]}).status_code == 400

    answer = resident.post(rate, {"score": "5", "reason": ["fast", "close_to_home"], "comment": "很方便"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("done=rated")
    page = resident.get(answer.headers["Location"]).get_data(as_text=True)
    assert "感谢您的评价" in page and "您对收件的评价" in page and FORM_TITLE not in page
    again = resident.post(rate, {"score": "1"})
    assert again.status_code == 409 and "一次一评" in again.get_data(as_text=True)
    headers = {"X-CSRF-Token": resident.csrf, "Accept": "application/json"}
    scripted = resident.http.post(rate, data={"score": "2"}, headers=headers)
    assert scripted.status_code == 409 and "一次一评" in scripted.get_json()["message"]

    bad = resident.post(f"/online/cases/{second_receipt}/collection-rating",
                        {"score": "1", "reason": ["poor_attitude"], "comment": "上传总失败"})  # fmt: skip
    assert bad.status_code == 303
    with get_db(app).transaction() as session:
        rows = session.scalars(select(Evaluation).where(Evaluation.receipt_no.in_([receipt, second_receipt])))
        found = {r.receipt_no: r for r in rows}
        case = session.get_one(Submission, mine)
        good = found[receipt]
        assert (good.at_stage, good.channel, good.score, good.reasons, good.comment) == (
            "collect", "online", 5, ["fast", "close_to_home"], "很方便"
        )  # fmt: skip
        assert (good.kiosk_id, good.station_code) == (case.kiosk_id, case.station_code)
        assert len(found) == 2 and found[second_receipt].score == 1
        rects = session.scalars(select(Rectification)).all()
        assert [(r.evaluation_id, r.receipt_no, r.score, r.source, r.state) for r in rects] == [
            (found[second_receipt].id, second_receipt, 1, "rating", "open")
        ]
        # the online zone's desk is virtual: its 收件 is the city's intake (triage department) to
        # put right, not a station's nobody staffs
        triage = session.scalar(select(Department.code).where(Department.is_triage.is_(True)))
        assert triage and (rects[0].unit_department_code, rects[0].unit_station_code) == (triage, None)
        assert "服务态度不好" in rects[0].summary and session.get_one(Submission, second).state != "completed"
