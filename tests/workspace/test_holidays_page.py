"""The holiday tables page and the loud warning beside every deadline in an unofficial year.

A case accepted on Friday 2027-01-15 has a 20-working-day legal limit: Mon–Fri (no 2027
table anywhere) puts it on 2027-02-12; the shipped example table (春节 off 02-05..02-13,
Saturday 01-30 worked) on 2027-02-19. Importing the table through the page must move the
stored deadline, log the import, and change what the review page and inbox warn about.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
import yaml
from flask import Flask
from sqlalchemy import select

from shared_schema.holidays import example_table_path
from sync_server.db import get_db, utcnow
from sync_server.models import HolidayTableRow, Submission
from sync_server.workdays import local_date
from sync_server.workspace import actions
from sync_server.workspace.models import AuditEntry, StaffUser
from tests.server.test_holidays import BAD_TABLE, no_tables_after  # noqa: F401  (fixture)

from .conftest import CHINA, new_case

UNOFFICIAL = "2027 年尚无官方节假日安排"
EXAMPLE = "2027 年节假日为示例数据（非官方）"


def upload(browser, content: bytes, name: str = "2027.yaml", **kw):  # type: ignore[no-untyped-def]
    return browser.post("/workspace/holidays", {"table": (io.BytesIO(content), name)},
                        content_type="multipart/form-data", **kw)  # fmt: skip


def accepted_mid_january(app: Flask, client, kiosk, staff: dict[str, int], seq: int = 1, *then) -> int:  # type: ignore[no-untyped-def]
    """A case accepted on 2027-01-15, then ``then``: (action, day, extra args) as rev_a."""
    case = new_case(app, client, kiosk, seq, created_at=datetime(2027, 1, 14, 10, tzinfo=CHINA))
    steps = [(actions.accept, date(2027, 1, 15), ()), *then]
    with app.app_context(), get_db(app).transaction(write=True) as session:
        sub, rev = session.get(Submission, case), session.get(StaffUser, staff["rev_a"])
        for action, day, args in steps:
            action(session, sub, rev, *args, now=datetime(day.year, day.month, day.day, 10, tzinfo=CHINA))
    return case


def stored(app: Flask, case: int) -> Submission:
    with get_db(app).transaction() as session:
        return session.get(Submission, case)


def warnings(html: str) -> list[str]:
    return re.findall(r'class="calendar-warning"[^>]*>⚠ ([^<]+)<', html)


def test_only_the_city_admin_may_open_it(app, as_user):  # type: ignore[no-untyped-def]
    assert as_user("rev_a").get("/workspace/holidays").status_code == 403
    assert upload(as_user("auditor"), example_table_path().read_bytes()).status_code == 403
    page = as_user("admin").get("/workspace/holidays")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "尚未导入" in html
    far = local_date(utcnow()).year + 2  # beyond what chinese-calendar 1.11 knows
    assert f'<td>{far}</td><td><strong class="calendar-warning">⚠ 无官方安排' in html


def test_bad_file_lists_every_problem_and_stores_nothing(app, as_user):  # type: ignore[no-untyped-def]
    admin = as_user("admin")
    admin.get("/workspace/holidays")
    answer = upload(admin, BAD_TABLE.encode(), "bad.yaml")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "有 9 处问题，未导入" in html
    assert "2027-10-08 is a weekday" in html and "2026-12-31 is not in 2027" in html
    assert upload(admin, b"", "empty.yaml").status_code == 400
    example = (io.BytesIO(example_table_path().read_bytes()), "x.yaml")
    no_csrf = admin.post(
        "/workspace/holidays", {"table": example}, content_type="multipart/form-data", csrf=False
    )
    assert no_csrf.status_code == 400
    with get_db(app).transaction() as session:
        assert session.scalars(select(HolidayTableRow)).all() == []
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "holidays_import")).all() == []


@pytest.mark.usefixtures("no_tables_after")
def test_import_moves_the_deadline_and_the_warnings_follow(app, client, kiosk, staff, as_user):  # type: ignore[no-untyped-def]
    case = accepted_mid_january(app, client, kiosk, staff)
    assert stored(app, case).legal_due == date(2027, 2, 12)  # Mon-Fri guess
    assert stored(app, case).promised_due == date(2027, 1, 29)
    admin = as_user("admin")

    review = admin.get(f"/workspace/submissions/{case}").get_data(as_text=True)
    assert "2027-02-12" in review and warnings(review).count(UNOFFICIAL + "，此期限按周一至周五估算") >= 2
    inbox = admin.get("/workspace/inbox?state=all").get_data(as_text=True)
    assert UNOFFICIAL in inbox

    admin.get("/workspace/holidays")
    answer = upload(admin, example_table_path().read_bytes())
    assert answer.status_code == 303, answer.get_data(as_text=True)
    done = admin.get(answer.headers["Location"]).get_data(as_text=True)
    assert "已导入 2027 年节假日安排；1 个在办申请" in done and "示例" in done

    sub = stored(app, case)
    assert sub.legal_due == date(2027, 2, 19) and sub.promised_due == date(2027, 1, 29)
    with get_db(app).transaction() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "holidays_import")).one()
    assert entry.username == "admin" and entry.detail["changed"] == [
        {"receipt_no": sub.receipt_no, "field": "legal_due", "old": "2027-02-12", "new": "2027-02-19"}
    ]
    review = admin.get(f"/workspace/submissions/{case}").get_data(as_text=True)
    assert "2027-02-19" in review and UNOFFICIAL not in review
    assert any(EXAMPLE in w for w in warnings(review))  # example data is still not official

    official = yaml.safe_load(example_table_path().read_text(encoding="utf-8"))
    official.update(example=False, notice="国办发明电〔2026〕测试号（测试用，视同正式通知）")
    admin.get("/workspace/holidays")
    assert upload(admin, yaml.safe_dump(official, allow_unicode=True).encode()).status_code == 303
    review = admin.get(f"/workspace/submissions/{case}").get_data(as_text=True)
    inbox = admin.get("/workspace/inbox?state=all").get_data(as_text=True)
    assert warnings(review) == [] and warnings(inbox) == []
    listing = admin.get("/workspace/holidays").get_data(as_text=True)
    assert "国办发明电〔2026〕测试号" in listing and "春节 02-05～02-13" in listing


@pytest.mark.usefixtures("no_tables_after")
def test_recount_skips_closed_special_stages_and_leaves_decided_cases(app, client, kiosk, staff):  # type: ignore[no-untyped-def]
    from shared_schema.holidays import load_holiday_table
    from shared_schema.workcalendar import WorkCalendar
    from sync_server.workspace.holiday_import import import_table

    start = (actions.start_special, date(2027, 1, 20), ("inspection", "现场勘验"))
    closed = accepted_mid_january(app, client, kiosk, staff, 1, start,
                                  (actions.end_special, date(2027, 1, 27), ("勘验完毕",)))  # fmt: skip
    still_open = accepted_mid_january(app, client, kiosk, staff, 2, start)
    rejected = accepted_mid_january(
        app, client, kiosk, staff, 3, (actions.reject, date(2027, 1, 18), ("不符合条件",))
    )
    # Mon-Fri: the stage skips 01-21..01-27 (5 working days).
    assert stored(app, closed).legal_due == date(2027, 2, 19)
    assert stored(app, still_open).legal_due == stored(app, rejected).legal_due == date(2027, 2, 12)

    table = load_holiday_table(example_table_path())
    with app.app_context(), get_db(app).transaction(write=True) as session:
        report = import_table(session, table, "test")
    moved = {(c["receipt_no"], c["field"]): c["new"] for c in report.changed}
    # 01-30 worked, 02-05..02-13 off, 02-20 worked; the closed stage still skipped.
    assert stored(app, closed).legal_due == date(2027, 2, 25)
    stage = [(date(2027, 1, 21), date(2027, 1, 27))]
    assert WorkCalendar([table]).add_working_days(date(2027, 1, 15), 20, stage) == date(2027, 2, 25)
    assert stored(app, still_open).legal_due == date(2027, 2, 19)  # the open stage counts when it ends
    assert stored(app, rejected).legal_due == date(2027, 2, 12)  # decided: left as it was
    assert moved == {
        (stored(app, closed).receipt_no, "legal_due"): "2027-02-25",
        (stored(app, closed).receipt_no, "promised_due"): "2027-02-04",  # Sat 01-30 worked: a day sooner
        (stored(app, still_open).receipt_no, "legal_due"): "2027-02-19",
    }
