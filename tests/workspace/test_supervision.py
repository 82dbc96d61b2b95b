"""督办: clocks warn their owner, then escalate to the department head and the city
supervisor on the right working day, across the 2026 Mid-Autumn/National Day holidays.

Dates (chinese-calendar, 2026): 9-25 Fri off (中秋), 9-28..9-30 working, 10-01..10-07 off,
10-08 Thu and 10-09 Fri working, 10-10 Sat a make-up working day (调休上班), 10-11 Sun off.
The cases come in through the real API; every pass is run at an injected moment.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import select, update

from sync_server.db import get_db
from sync_server.holidays import reload
from sync_server.models import Submission
from sync_server.workspace.models import SmsLogEntry, SmsMessage, StaffUser
from sync_server.workspace.sms import LogTableSender, dispatch
from sync_server.workspace.supervision import levels_due
from sync_server.workspace.supervision_models import EscalationStep
from sync_server.workspace.supervision_run import supervise
from tests.server.factories import ORPHAN_MATTER, TRIAGE

from .conftest import CHINA, DEPT_A, login, new_case


def at(day: int, month: int = 10) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=CHINA)


def run(app, moment: datetime) -> dict:  # type: ignore[no-untyped-def]
    with app.app_context(), get_db(app).transaction(write=True) as session:
        return supervise(session, moment).as_dict()


def steps(app) -> list[tuple]:  # type: ignore[no-untyped-def]
    with get_db(app).transaction() as session:
        rows = session.scalars(select(EscalationStep).order_by(EscalationStep.id))
        return [
            (s.clock, s.level, s.recipient, s.channel, s.due, s.at.astimezone(CHINA).date()) for s in rows
        ]


def add_supervisors(app, password_hash: str, department: str) -> None:  # type: ignore[no-untyped-def]
    with get_db(app).transaction(write=True) as session:
        for name, role, dept, phone in (
            ("head", "department_head", department, "13900000001"),
            ("city", "city_supervisor", None, "13900000002"),
        ):
            session.add(StaffUser(username=name, role=role, department_code=dept, full_name=name, phone=phone,
                                  password_hash=password_hash, active=True, failed_logins=0))  # fmt: skip


def test_levels_fall_on_working_days_across_national_day() -> None:
    due = date(2026, 9, 30)
    assert levels_due(due, date(2026, 9, 28)) == []  # two working days left
    assert levels_due(due, date(2026, 9, 29)) == ["warn"]
    assert levels_due(due, date(2026, 9, 30)) == ["warn"]
    assert levels_due(due, date(2026, 10, 8)) == ["head"]  # the holiday is not "late" days
    assert levels_due(due, date(2026, 10, 9)) == ["head"]
    assert levels_due(due, date(2026, 10, 10)) == ["head", "city"]  # Saturday worked: third day late


def test_a_case_stuck_in_triage_warns_the_station_then_escalates(
    app, client, kiosk, staff, password_hash, as_user
) -> None:  # type: ignore[no-untyped-def]
    case = new_case(app, client, kiosk, seq=1, matter_code=ORPHAN_MATTER, created_at=at(28, 9))
    with get_db(app).transaction() as session:
        sub = session.get(Submission, case)
        assert sub.transfer_due == date(2026, 9, 30) and sub.transferred_at is None
    add_supervisors(app, password_hash, TRIAGE)
    reload(app)

    assert run(app, at(28, 9))["recorded"] == {}
    assert run(app, at(29, 9))["recorded"] == {"warn/workspace": 1}  # the collecting station's staff
    assert run(app, at(29, 9))["recorded"] == {}  # idempotent: the same day again tells nobody
    assert run(app, at(30, 9))["recorded"] == {}  # same due day: already warned
    for holiday in (1, 2, 5, 7):
        assert run(app, at(holiday)) == {"day_off": True, "recorded": {}, "unassigned": 0}
    assert run(app, at(8))["recorded"] == {"head/workspace": 1, "head/sms": 1}
    assert run(app, at(9))["recorded"] == {}
    assert run(app, at(10))["recorded"] == {"city/workspace": 1, "city/sms": 1}
    assert run(app, at(11))["day_off"] is True
    assert run(app, at(12))["recorded"] == {}

    assert steps(app) == [
        ("transfer", "warn", "station", "workspace", date(2026, 9, 30), date(2026, 9, 29)),
        ("transfer", "head", "head", "workspace", date(2026, 9, 30), date(2026, 10, 8)),
        ("transfer", "head", "head", "sms", date(2026, 9, 30), date(2026, 10, 8)),
        ("transfer", "city", "city", "workspace", date(2026, 9, 30), date(2026, 10, 10)),
        ("transfer", "city", "city", "sms", date(2026, 9, 30), date(2026, 10, 10)),
    ]
    assert dispatch(get_db(app), LogTableSender()) == 2
    with get_db(app).transaction() as session:
        texts = [(m.phone, m.text) for m in session.scalars(select(SmsLogEntry).order_by(SmsLogEntry.id))]
        assert all(m.status == "sent" for m in session.scalars(select(SmsMessage)))
    assert texts[0][0] == "13900000001" and "已报部门负责人" in texts[0][1]
    assert texts[1][0] == "13900000002" and "已报市级督办" in texts[1][1]
    assert "张三" not in texts[0][1] and "2026-09-30" in texts[0][1]  # receipt number only

    head, _ = login(app, "head")  # the workspace notification: the head's own steps, once new
    first = head.get("/workspace/alerts").get_data(as_text=True)
    assert "超期报部门负责人" in first and "已报部门负责人" in first and ">新<" in first
    assert "超期报市级督办" not in first  # the city supervisor's step is not the head's
    assert ">新<" not in head.get("/workspace/alerts").get_data(as_text=True)
    station_page = as_user("station").get("/workspace/alerts").get_data(as_text=True)
    assert "到期提醒" in station_page


def test_promised_limit_is_owned_by_who_accepted_and_a_missing_head_is_recorded(
    app, client, kiosk, staff, as_user
) -> None:  # type: ignore[no-untyped-def]
    case = new_case(app, client, kiosk, seq=2, created_at=at(21, 9))
    reviewer = as_user("rev_a")
    assert reviewer.post(f"/workspace/submissions/{case}/accept", {"opinion": "材料齐全"}).status_code == 303
    with get_db(app).transaction(write=True) as session:  # the acceptance as it stood in September
        session.execute(update(Submission).where(Submission.id == case).values(
            accepted_at=at(24, 9), promised_due=date(2026, 9, 30)))  # fmt: skip
        assert session.get(Submission, case).department_code == DEPT_A
    reload(app)
    assert run(app, at(30, 9))["recorded"] == {"warn/workspace": 1}
    outcome = run(app, at(8))
    assert outcome["recorded"] == {} and outcome["unassigned"] == 1  # DEPT_A has no head account
    assert run(app, at(8))["unassigned"] == 0  # recorded once
    assert [(c, lv, r, ch) for c, lv, r, ch, *_ in steps(app)] == [
        ("promised", "warn", "rev_a", "workspace"),
        ("promised", "head", "", "none"),
    ]


def test_the_command_a_timer_runs_is_idempotent_and_sends_the_sms(
    app, db_url, client, kiosk, staff, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """``tongban server supervise --at …`` as cron would run it, against the same database."""
    from tests.server.test_cli import run as cli

    new_case(app, client, kiosk, seq=3, matter_code=ORPHAN_MATTER, created_at=at(28, 9))
    with get_db(app).transaction(write=True) as session:
        session.add(StaffUser(username="sup", role="city_supervisor", full_name="孙督办", phone="13900000009",
                              password_hash="-", active=True, failed_logins=0))  # fmt: skip
    first = cli(tmp_path, db_url, "supervise", "--at", "2026-10-10T09:00:00+08:00", "--json")
    assert first[0] == 0, first[1]
    report = json.loads(first[1])
    assert report["recorded"] == {"city/workspace": 1, "city/sms": 1} and report["sms_sent"] == 1
    assert report["unassigned"] == 1  # the triage department has no head: recorded, not skipped
    again = json.loads(cli(tmp_path, db_url, "supervise", "--at", "2026-10-10T09:00:00+08:00", "--json")[1])
    assert again["recorded"] == {} and again["unassigned"] == 0 and again["sms_sent"] == 0
    holiday = cli(tmp_path, db_url, "supervise", "--at", "2026-10-04T09:00:00+08:00")
    assert holiday[0] == 0 and "a day off" in holiday[1]
    bad = cli(tmp_path, db_url, "supervise", "--at", "2026-10-10T09:00", "--json")
    assert bad[0] != 0 and "offset" in json.loads(bad[1])["message"]
    with get_db(app).transaction() as session:
        assert session.scalar(select(SmsLogEntry.phone)) == "13900000009"
