"""Ratings in the workspace: the 回访 rating by phone (一次一评, audited, a bad one opens a
rectification), every rating by matter / station / department / staff member, and the
好差评 export (XLSX and JSON with the national level codes), a department's own only."""

from __future__ import annotations

import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from sync_server.db import get_db
from sync_server.models import Evaluation, Rectification, Submission
from sync_server.workspace import phone_rating, ratings
from sync_server.workspace.models import AuditEntry, StaffUser
from sync_server.workspace.ratings_export import COLUMNS
from tests.server.factories import STATION_ZEZHOU, ZEZHOU
from tests.support.waiting import wait_until

from .conftest import CHINA, DEPT_A, DEPT_B, new_case
from .test_actions import act

MAIL = {"opinion": "准予", "result_kind": "paper", "delivery": "mail", "tracking_no": "SF77",
        "delivery_reason": "申请人来电改为邮寄"}  # fmt: skip


def at(month: int, day: int) -> datetime:
    return datetime(2027, month, day, 10, 0, tzinfo=CHINA)


def receipt(app, case: int) -> str:  # type: ignore[no-untyped-def]
    with get_db(app).transaction() as session:
        return session.get(Submission, case).receipt_no


def rate(client, kiosk, receipt_no, score, stage, created, reasons=()):  # type: ignore[no-untyped-def]
    body = {"evaluation_uuid": str(uuid.uuid4()), "receipt_no": receipt_no,
            "station_code": kiosk.station_code,
            "at_stage": stage, "score": score, "comment": "", "reasons": list(reasons),
            "created_at": created.isoformat()}  # fmt: skip
    return client.post("/evaluations", kiosk, json=body)


def completed_by_mail(app, client, kiosk, rev, seq: int) -> int:  # type: ignore[no-untyped-def]
    case = new_case(app, client, kiosk, seq=seq)
    assert act(rev, case, "accept").status_code == 303
    assert act(rev, case, "complete", MAIL).status_code == 303
    return case


def test_the_follow_up_call_records_one_rating_at_handling(app, client, kiosk, as_user) -> None:  # type: ignore[no-untyped-def]
    rev = as_user("rev_a")
    case = completed_by_mail(app, client, kiosk, rev, 1)
    path = f"/workspace/submissions/{case}/rating"
    page = rev.get(f"/workspace/submissions/{case}").get_data(as_text=True)
    assert "回访评价（电话）" in page and "多次跑动" in page

    assert as_user("rev_b").post(path, {"score": "2"}).status_code == 404  # not their case
    assert as_user("station").post(path, {"score": "2"}).status_code == 403
    assert as_user("admin").post(path, {"score": "2"}).status_code == 403  # departments record 回访
    assert rev.post(path, {"score": "6"}).status_code == 400
    assert rev.post(path, {"score": "2", "reason": ["nope"]}).status_code == 400
    assert rev.post(path, {"score": "2", "reason": ["too_slow", "too_slow"]}).status_code == 400
    assert rev.post(path, {"score": "2", "comment": "长" * 501}).status_code == 400

    answer = rev.post(path, {"score": "2", "reason": ["too_slow", "too_many_trips"], "comment": "等了很久"})
    assert answer.status_code == 303
    with get_db(app).transaction() as session:
        row = session.scalars(select(Evaluation)).one()
        assert (row.at_stage, row.channel, row.recorded_by, row.kiosk_id) == (
            "handle",
            "phone",
            "rev_a",
            None,
        )
        assert (row.department_code, row.station_code, row.score) == (DEPT_A, STATION_ZEZHOU, 2)
        assert row.reasons == ["too_slow", "too_many_trips"]
        rect = session.scalars(select(Rectification)).one()
        assert (rect.evaluation_id, rect.unit_department_code, rect.submission_id) == (row.id, DEPT_A, case)
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "rating_phone")).one()
        assert audit.submission_id == case and audit.detail["score"] == 2

    assert rev.post(path, {"score": "5"}).status_code == 409  # 一次一评
    kiosk_rating = rate(client, kiosk, receipt(app, case), 5, "handle", at(2, 3))
    assert kiosk_rating.status_code == 409 and kiosk_rating.get_json()["error"] == "already_rated"
    page = rev.get(f"/workspace/submissions/{case}").get_data(as_text=True)
    assert "（电话回访）" in page and "回访评价（电话）" not in page

    pickup = new_case(app, client, kiosk, seq=2)
    act(rev, pickup, "accept")
    assert (
        act(
            rev, pickup, "complete", {"opinion": "准予", "result_kind": "paper", "delivery": "pickup"}
        ).status_code
        == 303
    )
    assert (
        rev.post(f"/workspace/submissions/{pickup}/rating", {"score": "4"}).status_code == 409
    )  # kiosk rates it
    undecided = new_case(app, client, kiosk, seq=3)
    assert rev.post(f"/workspace/submissions/{undecided}/rating", {"score": "4"}).status_code == 409


def test_ratings_by_dimension_and_the_national_export(app, client, kiosk, as_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rev = as_user("rev_a")
    mine = completed_by_mail(app, client, kiosk, rev, 1)
    theirs = new_case(app, client, kiosk, seq=2, home_division=ZEZHOU + "100200")
    assert (
        rate(client, kiosk, receipt(app, mine), 5, "collect", at(2, 1), ["close_to_home"]).status_code == 201
    )
    assert (
        rate(client, kiosk, receipt(app, mine), 1, "handle", at(2, 3), ["poor_attitude"]).status_code == 201
    )
    assert rate(client, kiosk, receipt(app, theirs), 4, "collect", at(3, 10)).status_code == 201

    page = rev.get("/workspace/ratings?by=staff").get_data(as_text=True)
    assert "王审核" in page and "（自助办理）" in page and "服务态度不好 1" in page
    assert "就近办理方便" in page and receipt(app, theirs) not in page  # DEPT_B's rating is not shown
    for by, label in (("matter", "140500-SB-001"), ("station", STATION_ZEZHOU), ("department", DEPT_A)):
        assert label in rev.get(f"/workspace/ratings?by={by}").get_data(as_text=True)
    assert rev.get("/workspace/ratings?from=2027-03-01&to=2027-02-01").status_code == 400

    doc = rev.get("/workspace/ratings.json?from=2027-02-01&to=2027-02-28").get_json()
    assert doc["standard"] == "国办发〔2019〕51号" and doc["department_code"] == DEPT_A
    assert doc["period"] == {"from": "2027-02-01", "to": "2027-02-28"} and doc["count"] == 2
    bad, good = doc["ratings"]  # newest first
    assert (bad["level_code"], bad["level_name"], bad["stage"], bad["stage_name"]) == (
        1,
        "非常不满意",
        "handle",
        "办理",
    )
    assert bad["reasons"] == ["poor_attitude"] and bad["reason_names"] == ["服务态度不好"]
    assert bad["staff_name"] == "王审核" and bad["rectification"] == "待联系"
    assert (good["level_code"], good["level_name"], good["channel_name"]) == (5, "非常满意", "自助终端")
    assert good["rectification"] is None and good["rated_at"] == "2027-02-01T10:00:00+08:00"
    assert all(r["department_code"] == DEPT_A for r in doc["ratings"])
    assert "applicant" not in str(doc) and "张三" not in str(doc)  # no applicant data leaves

    book = load_workbook(io.BytesIO(rev.get("/workspace/ratings.xlsx?from=2027-02-01&to=2027-02-28").data))
    sheet = book["好差评"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [label for _, label, _ in COLUMNS] and len(rows) == 3
    level = [label for _, label, _ in COLUMNS].index("评价等级代码")
    assert sorted(r[level] for r in rows[1:]) == [1, 5]

    admin = as_user("admin")
    assert admin.get("/workspace/ratings.json").get_json()["count"] == 3
    only_b = admin.get(f"/workspace/ratings.json?department={DEPT_B}").get_json()
    assert only_b["count"] == 1 and only_b["ratings"][0]["receipt_no"] == receipt(app, theirs)
    assert as_user("rev_b").get("/workspace/ratings.json").get_json()["count"] == 1
    desk = as_user("station").get("/workspace/ratings.json").get_json()  # its station's collection ratings
    assert sorted(r["level_code"] for r in desk["ratings"]) == [4, 5]
    with get_db(app).transaction() as session:
        exports = session.scalars(select(AuditEntry).where(AuditEntry.action == "ratings_export")).all()
        assert {e.detail["format"] for e in exports} == {"json", "xlsx"}

    monkeypatch.setattr(ratings, "SUMMARY_CAP", 2)  # more than the cap is refused, not cut short
    assert admin.get("/workspace/ratings.json").status_code == 400
    assert "请缩小日期范围" in admin.get("/workspace/ratings").get_data(as_text=True)
    assert admin.get("/workspace/ratings.json?from=2027-03-01").get_json()["count"] == 1


def test_a_racing_phone_and_kiosk_rating_leave_one(app, client, kiosk, as_user, db_url) -> None:  # type: ignore[no-untyped-def]
    """一次一评 under a race: the phone rating is written but not committed when the kiosk's
    arrives; the unique index makes the kiosk's wait, then refuses it 409 already_rated."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): the two cannot interleave")
    rev = as_user("rev_a")
    case = completed_by_mail(app, client, kiosk, rev, 1)
    engine = get_db(app).engine
    with engine.connect() as held:
        holder = held.begin()
        with Session(bind=held) as phone_session:
            staff = phone_session.scalars(select(StaffUser).where(StaffUser.username == "rev_a")).one()
            sub = phone_session.get(Submission, case)
            with app.app_context():
                phone_rating.record(phone_session, staff, sub, 4, [], "", at(2, 3))
            pid = held.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with ThreadPoolExecutor(1) as pool:
                kiosk_answer = pool.submit(rate, client, kiosk, receipt(app, case), 1, "handle", at(2, 3))

                def kiosk_waits_for_the_phone_rating() -> bool:
                    with engine.connect() as probe:
                        return bool(probe.exec_driver_sql(
                            "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> %s", (pid,)
                        ).scalar())  # fmt: skip

                wait_until(kiosk_waits_for_the_phone_rating, "the kiosk's insert to wait on the unique index")
                holder.commit()
                answer = kiosk_answer.result()
    assert answer.status_code == 409 and answer.get_json()["error"] == "already_rated"
    with get_db(app).transaction() as session:
        rows = session.scalars(select(Evaluation).where(Evaluation.at_stage == "handle")).all()
        assert [(r.channel, r.score) for r in rows] == [("phone", 4)]
        assert session.scalar(select(Rectification.id)) is None  # the refused 1 opened nothing
