"""意见建议 (issue 14, 5.5) in the workspace: station and department staff leave feedback and
see the answer to their own only; only the city administrator answers, optionally linking
a catalog draft; residents' answers are found by feedback or receipt number."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select

from sync_server import catalog_versions as versions
from sync_server import feedback
from sync_server.db import get_db
from sync_server.errors import ApiError
from sync_server.models import Feedback
from sync_server.workspace.models import AuditEntry
from tests.server.factories import CITY_MATTER, HOME_MATTER
from tests.server.test_catalog_versions import _only_the_test_catalog

ROW = re.compile(r'data-feedback="(YJ\d{14}|YJ\d{10})"')


@pytest.fixture
def fb_app(app: Flask) -> Iterator[Flask]:
    for _ in (0, 1):
        with get_db(app).transaction(write=True) as session:
            session.execute(delete(Feedback))
        _only_the_test_catalog(app)
        if _ == 0:
            yield app


def test_staff_leave_feedback_and_only_the_administrator_answers(fb_app: Flask, as_user: Any) -> None:
    app = fb_app
    station, rev, admin = as_user("station"), as_user("rev_a"), as_user("admin")
    leave = {"matter_code": HOME_MATTER, "about": "guide", "text": "材料清单看不懂"}
    assert station.post("/workspace/feedback", leave).status_code == 303
    assert (
        rev.post("/workspace/feedback", {**leave, "about": "matter", "text": "希望增加网上预审"}).status_code
        == 303
    )
    assert station.post("/workspace/feedback", {**leave, "text": "x"}).status_code == 400
    assert station.post("/workspace/feedback", {**leave, "about": "other"}).status_code == 400
    assert station.post("/workspace/feedback", {**leave, "matter_code": "NO-SUCH-1"}).status_code == 404
    assert admin.post("/workspace/feedback", leave).status_code == 403  # the administrator answers
    assert as_user("auditor").get("/workspace/feedback").status_code == 403
    own = ROW.findall(station.get("/workspace/feedback").get_data(as_text=True))
    theirs = ROW.findall(rev.get("/workspace/feedback").get_data(as_text=True))
    assert len(own) == 1 and len(theirs) == 1 and own != theirs  # each sees their own
    assert set(ROW.findall(admin.get("/workspace/feedback").get_data(as_text=True))) == {*own, *theirs}
    with get_db(app).transaction(write=True) as session:
        mine = session.scalars(select(Feedback).where(Feedback.feedback_no == own[0])).one()
        draft_id = versions.start_draft(session, "admin").id
    path = f"/workspace/feedback/{mine.id}/answer"
    assert station.post(path, {"answer": "自己答复"}).status_code == 403
    assert admin.post(path, {"answer": "已修改", "draft_id": "abc"}).status_code == 400
    assert admin.post(path, {"answer": "已修改", "draft_id": "99999"}).status_code == 404
    assert (
        admin.post(path, {"answer": "已在新版清单中补充材料说明", "draft_id": str(draft_id)}).status_code
        == 303
    )
    html = station.get("/workspace/feedback").get_data(as_text=True)
    assert "已在新版清单中补充材料说明" in html and f"关联清单草稿 {draft_id}" in html
    with get_db(app).transaction() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions.count("feedback_leave") == 2 and actions.count("feedback_answer") == 1


def test_residents_find_their_answer_by_number(fb_app: Flask) -> None:
    with get_db(fb_app).transaction(write=True) as session:
        mine = feedback.leave(session, matter_code=CITY_MATTER, about="guide", text="希望增加周末办理",
                              source=feedback.RESIDENT, receipt_no="ST01-K01-20261202-0001")  # fmt: skip
        other = feedback.leave(session, matter_code=CITY_MATTER, about="guide", text="别人的意见",
                               source=feedback.RESIDENT)  # fmt: skip
        feedback.answer(session, mine.id, "下一版本起周六上午可办理", "admin")
        assert mine.feedback_no != other.feedback_no
        by_no = feedback.for_resident(session, feedback_no=mine.feedback_no)
        by_receipt = feedback.for_resident(session, receipt_no="ST01-K01-20261202-0001")
        assert [f.answer for f in by_no] == [f.answer for f in by_receipt] == ["下一版本起周六上午可办理"]
        assert feedback.for_resident(session, feedback_no="YJ0000000000") == []
        with pytest.raises(ApiError):
            feedback.for_resident(session)
