"""整改 (9.2): a bad rating synced from a kiosk opens a rectification for the responsible
unit, which becomes overdue and is escalated on the right working day across the 2027
Spring Festival (the imported holiday table); the appeal goes to the city supervisor;
complaints enter the same workflow; a department sees only its own.

2027 (shared_schema/data/holidays/2027-example.yaml, imported as the city would): 02-05 Fri
to 02-13 Sat off (春节), 02-14 Sun off, 02-15 Mon back at work, 02-20 Sat a make-up
working day. A rating received Wed 02-03 must be followed by contact by Thu 02-04 and a
fix by 03-03 (15 working days). Every step runs at an injected moment (``CLOCK``).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from shared_schema.holidays import load_holiday_table
from sync_server.db import get_db
from sync_server.holidays import reload
from sync_server.models import Rectification, RectificationEscalation, Submission
from sync_server.rectification import open_counts, open_counts_by_department
from sync_server.workspace import views_rectification
from sync_server.workspace.holiday_import import import_table
from sync_server.workspace.models import AuditEntry, SmsLogEntry, SmsMessage, StaffUser
from sync_server.workspace.rectification_escalation import escalate_overdue
from tests.server.factories import STATION_ZEZHOU
from tongban_cli.main import cli

from .conftest import CHINA, DEPT_A, DEPT_B, new_case

HOLIDAYS_2027 = (
    Path(__file__).resolve().parents[2] / "shared_schema" / "data" / "holidays" / "2027-example.yaml"
)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2027, month, day, hour, 0, tzinfo=CHINA)


class Clock:
    """The server's injected "now" (app.config["CLOCK"])."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock(app, staff, password_hash) -> Clock:  # type: ignore[no-untyped-def]
    """2027 holidays imported, a city supervisor and a department head, the clock on 02-03."""
    with get_db(app).transaction(write=True) as session:
        import_table(session, load_holiday_table(HOLIDAYS_2027), "test")
        for name, role, dept in (("sup", "city_supervisor", None), ("head_a", "department_head", DEPT_A)):
            session.add(StaffUser(username=name, role=role, department_code=dept, full_name=name,
                                  phone="13900000001" if name == "sup" else None,
                                  password_hash=password_hash, active=True, failed_logins=0))  # fmt: skip
    reload(app)
    moment = Clock(at(2, 3))
    app.config["CLOCK"] = moment
    return moment


def rate(client, kiosk, receipt_no: str | None, score: int, stage: str = "handle", **over):  # type: ignore[no-untyped-def]
    body = {
        "evaluation_uuid": str(uuid.uuid4()), "receipt_no": receipt_no, "station_code": kiosk.station_code,
        "at_stage": stage, "score": score, "comment": "跑了三趟", "reasons": ["too_many_trips"],
        "created_at": at(2, 3, 9).isoformat(), **over,
    }  # fmt: skip
    return client.post("/evaluations", kiosk, json=body)


def receipt(app, case: int) -> str:
    with get_db(app).transaction() as session:
        return session.get(Submission, case).receipt_no


def the_rectification(app) -> Rectification:
    with get_db(app).transaction() as session:
        return session.scalars(select(Rectification).order_by(Rectification.id.desc())).first()


def escalate(app, moment: datetime) -> list[tuple[str, date, list[str]]]:
    with app.app_context(), get_db(app).transaction(write=True) as session:
        return [(e.clock, e.due, list(e.notified)) for e in escalate_overdue(session, moment)]


def test_a_bad_kiosk_rating_escalates_on_the_first_working_day_after_the_spring_festival(
    app, client, kiosk, clock, as_user, db_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    case, good = new_case(app, client, kiosk, seq=1), new_case(app, client, kiosk, seq=2)
    assert rate(client, kiosk, receipt(app, good), 3).status_code == 201  # 基本满意 opens nothing
    assert the_rectification(app) is None

    answer = rate(client, kiosk, receipt(app, case), 1)
    assert answer.status_code == 201, answer.get_json()
    rect = the_rectification(app)
    assert rect.unit_department_code == DEPT_A and rect.unit_station_code is None  # the handling department
    assert (rect.state, rect.score, rect.source) == ("open", 1, "rating")
    assert rect.opened_at == at(2, 3)  # the server's clock, not the kiosk's
    assert rect.contact_due == date(2027, 2, 4)
    assert rect.fix_due == date(2027, 3, 3)  # 15 working days: the festival does not count, 02-20 does
    assert "非常不满意" in rect.summary and "多次跑动" in rect.summary and "跑了三趟" in rect.summary

    assert escalate(app, at(2, 4, 18)) == []  # due day: not late yet
    for holiday in (5, 8, 13):
        assert escalate(app, at(2, holiday)) == []  # overdue since 02-05, but nobody is at work
    assert escalate(app, at(2, 14)) == []  # Sunday after the festival: still off
    rev = as_user("rev_a")
    clock.moment = at(2, 14)
    listing = rev.get("/workspace/rectifications?show=overdue").get_data(as_text=True)
    assert f'data-rectification="{rect.id}"' in listing and "未按时联系" in listing  # flagged meanwhile

    told = escalate(app, at(2, 15, 9))  # Monday 02-15: the first working day after the due day
    assert told == [("contact", date(2027, 2, 4), ["head_a", "rev_a", "sup"])]
    assert escalate(app, at(2, 15, 17)) == []  # told once per clock
    with get_db(app).transaction() as session:
        row = session.scalars(select(RectificationEscalation)).one()
        assert row.escalated_at == at(2, 15, 9)
        texts = list(session.scalars(select(SmsMessage.text).where(SmsMessage.phone == "13900000001")))
        assert texts == [
            f"【市域通办督办】整改 #{rect.id} 的联系时限（2027-02-04）已过，请登录工作台尽快办理。"
        ]

    clock.moment = at(2, 15, 10)
    page = rev.get("/workspace/rectifications").get_data(as_text=True)
    assert (
        'class="alert error reminders"' in page and "联系时限（2027-02-04）已过" in page
    )  # the 督办提醒 box
    department_b_sees_nothing(rect, as_user)
    path = f"/workspace/rectifications/{rect.id}"
    assert rev.post(f"{path}/steps/verify", {"text": "x"}).status_code == 409  # contact comes first
    assert rev.post(f"{path}/steps/contact", {"text": "已电话联系申请人"}).status_code == 303
    assert rev.post(f"{path}/steps/fix", {"text": "x"}).status_code == 409  # verify and answer first

    def run(moment: str) -> list[dict]:  # type: ignore[type-arg]
        result = CliRunner().invoke(
            cli, ["server", "--home", str(tmp_path), "--db", db_url, "rectifications", "escalate",
                  "--at", moment, "--json"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    assert run("2027-03-03T18:00+08:00") == []  # contacted; the fix is due today, not late yet
    made = run("2027-03-04T08:30+08:00")  # Thursday: the working day after the fix's due day
    assert [(r["clock"], r["due"], r["notified"]) for r in made] == [
        ("fix", "2027-03-03", ["head_a", "rev_a", "sup"])
    ]
    assert run("2027-03-05T08:30+08:00") == []
    with get_db(app).transaction() as session:  # the CLI sent the fix clock's SMS after commit
        sent = session.scalars(select(SmsLogEntry.text).where(SmsLogEntry.phone == "13900000001")).all()
        assert sorted(sent) == [  # the contact clock's, queued by the earlier pass, went out too
            f"【市域通办督办】整改 #{rect.id} 的整改时限（2027-03-03）已过，请登录工作台尽快办理。",
            f"【市域通办督办】整改 #{rect.id} 的联系时限（2027-02-04）已过，请登录工作台尽快办理。",
        ]
    with app.app_context(), get_db(app).transaction() as session:
        counts = open_counts(session, at(3, 5), department_code=DEPT_A)
        assert (counts.open, counts.overdue, counts.appealed) == (1, 1, 0)
        assert open_counts(session, at(3, 5), department_code=DEPT_B).open == 0
        assert open_counts_by_department(session, at(3, 3))[DEPT_A].overdue == 0

    clock.moment = at(3, 5)
    assert "已超期" in rev.get(path).get_data(as_text=True)
    for step, text in (("verify", "窗口人员未一次告知材料"), ("answer", "已向申请人致歉并说明"),
                       ("fix", "已培训窗口人员，指南补充示例")):  # fmt: skip
        assert rev.post(f"{path}/steps/{step}", {"text": text}).status_code == 303
    rect = the_rectification(app)
    assert rect.state == "closed" and rect.fixed_at == at(3, 5) and rect.fix == "已培训窗口人员，指南补充示例"
    assert rev.post(f"{path}/steps/fix", {"text": "again"}).status_code == 409
    assert 'class="alert error reminders"' not in rev.get("/workspace/rectifications").get_data(
        as_text=True
    )  # done: none left


def department_b_sees_nothing(rect: Rectification, as_user) -> None:  # type: ignore[no-untyped-def]
    """Another department: 404 for the rectification and its steps, nothing listed, no
    ratings (nor asking for department A's by filter or export); the auditor: 403."""
    rev_b, auditor = as_user("rev_b"), as_user("auditor")
    path = f"/workspace/rectifications/{rect.id}"
    assert rev_b.get(path).status_code == 404
    for step in ("contact", "verify"):
        assert rev_b.post(f"{path}/steps/{step}", {"text": "x"}).status_code == 404
    assert rev_b.post(f"{path}/appeal", {"reason": "x"}).status_code == 404
    listing = rev_b.get("/workspace/rectifications?show=all").get_data(as_text=True)
    assert f'data-rectification="{rect.id}"' not in listing
    assert auditor.get(path).status_code == 403 and auditor.get("/workspace/ratings").status_code == 403
    assert as_user("admin").post(f"{path}/steps/contact", {"text": "x"}).status_code == 403  # reads only
    assert as_user("station").get(path).status_code == 404  # the department's, not the station's
    ratings_b = rev_b.get("/workspace/ratings").get_data(as_text=True)
    assert "跑了三趟" not in ratings_b and "没有评价" in ratings_b
    assert rev_b.get(f"/workspace/ratings?department={DEPT_A}").status_code == 404
    assert rev_b.get(f"/workspace/ratings.json?department={DEPT_A}").status_code == 404
    assert rev_b.get("/workspace/ratings.json").get_json()["count"] == 0


def test_appeal_is_decided_by_the_city_supervisor(app, client, kiosk, clock, as_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert rate(client, kiosk, None, 2, stage="collect").status_code == 201  # at collection: the station's
    rect = the_rectification(app)
    assert rect.unit_station_code == STATION_ZEZHOU and rect.unit_department_code is None
    desk, rev, sup = as_user("station"), as_user("rev_a"), as_user("sup")
    path = f"/workspace/rectifications/{rect.id}"

    assert rev.get(path).status_code == 404  # not the department's
    assert desk.post(f"{path}/appeal", {"reason": ""}).status_code == 400
    assert desk.post(f"{path}/appeal", {"reason": "评价当日终端停电，并非服务问题"}).status_code == 303
    assert the_rectification(app).state == "appealed"
    assert desk.post(f"{path}/steps/contact", {"text": "x"}).status_code == 409  # work waits for the decision
    assert desk.post(f"{path}/decision", {"decision": "upheld", "opinion": "x"}).status_code == 403
    assert (
        as_user("admin").post(f"{path}/decision", {"decision": "upheld", "opinion": "x"}).status_code == 403
    )
    page = sup.get(path).get_data(as_text=True)
    assert "评价当日终端停电" in page and "申诉不成立" in page
    assert (
        sup.post(f"{path}/decision", {"decision": "rejected", "opinion": "停电不影响服务态度"}).status_code
        == 303
    )
    rect = the_rectification(app)
    assert (rect.state, rect.appeal_decision, rect.appeal_decided_by) == ("open", "rejected", "sup")
    assert desk.post(f"{path}/appeal", {"reason": "再次申诉"}).status_code == 409  # once
    assert desk.post(f"{path}/steps/contact", {"text": "已联系申请人"}).status_code == 303

    assert rate(client, kiosk, None, 1, stage="collect").status_code == 201
    other = the_rectification(app)
    assert (
        desk.post(f"/workspace/rectifications/{other.id}/appeal", {"reason": "恶意差评"}).status_code == 303
    )
    assert sup.post(f"/workspace/rectifications/{other.id}/decision",
                    {"decision": "upheld", "opinion": "经核实为误评"}).status_code == 303  # fmt: skip
    other = the_rectification(app)
    assert other.state == "dismissed" and other.closed_at == at(2, 3)
    assert sup.post(f"/workspace/rectifications/{other.id}/decision",
                    {"decision": "rejected", "opinion": "x"}).status_code == 409  # fmt: skip
    with get_db(app).transaction() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action == "rectification_step"))
        assert len(list(actions)) == 5

    monkeypatch.setattr(views_rectification, "LIST_LIMIT", 1)  # a long list says it is cut
    listing = sup.get("/workspace/rectifications?show=all").get_data(as_text=True)
    assert listing.count("data-rectification=") == 1 and "只显示整改时限最早的 1 条" in listing


def test_complaints_enter_the_same_workflow(app, client, kiosk, clock, as_user) -> None:  # type: ignore[no-untyped-def]
    case = new_case(app, client, kiosk)
    desk = as_user("station")
    form = {"source": "village_staff", "unit": f"department:{DEPT_A}", "receipt_no": receipt(app, case),
            "complainant_name": "张三", "complainant_phone": "13800138000",
            "summary": "材料寄出一周无人联系"}  # fmt: skip
    assert desk.post("/workspace/rectifications", {**form, "unit": ""}).status_code == 400
    assert desk.post("/workspace/rectifications", {**form, "source": "rating"}).status_code == 400
    assert desk.post("/workspace/rectifications", {**form, "complainant_phone": "12"}).status_code == 400
    assert desk.post("/workspace/rectifications", {**form, "unit": "department:NOPE"}).status_code == 400
    assert (
        desk.post("/workspace/rectifications", {**form, "receipt_no": "ST01-K1-20270101-9999"}).status_code
        == 404
    )
    answer = desk.post("/workspace/rectifications", form)
    assert answer.status_code == 303
    rect = the_rectification(app)
    assert (rect.source, rect.unit_department_code, rect.submission_id, rect.opened_by) == (
        "village_staff",
        DEPT_A,
        case,
        "station",
    )
    assert (rect.contact_due, rect.fix_due) == (date(2027, 2, 4), date(2027, 3, 3))
    assert desk.get(f"/workspace/rectifications/{rect.id}").status_code == 200  # the reporter follows it
    assert desk.post(f"/workspace/rectifications/{rect.id}/steps/contact", {"text": "x"}).status_code == 403
    assert desk.post(f"/workspace/rectifications/{rect.id}/appeal", {"reason": "x"}).status_code == 403
    page = as_user("rev_a").get(f"/workspace/rectifications/{rect.id}").get_data(as_text=True)
    assert "村级代办员反映" in page and "材料寄出一周无人联系" in page and "13800138000" in page

    hotline = {"source": "hotline", "unit": f"station:{STATION_ZEZHOU}", "summary": "12345：终端无法打印"}
    sup = as_user("sup")
    form_page = sup.get("/workspace/rectifications/new").get_data(as_text=True)
    assert "12345热线" in form_page and f"station:{STATION_ZEZHOU}" in form_page
    assert sup.post("/workspace/rectifications", hotline).status_code == 303
    assert the_rectification(app).unit_station_code == STATION_ZEZHOU
    assert as_user("rev_a").post("/workspace/rectifications", hotline).status_code == 403
    with get_db(app).transaction() as session:
        assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "complaint")) is not None
