"""整改 in Debian's Chromium: an overdue, escalated rectification on the list; the unit
records contact on its page; a station appeals a bad rating and the city supervisor
decides. Screenshots: docs/screenshots/rectification-*.png.

The server runs on loopback (werkzeug thread, SQLite) at the real time; the data are put
in place through the same service functions the sync API and the workspace call.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from sync_server.db import get_db, utcnow
from sync_server.holidays import reload
from sync_server.models import Evaluation, Rectification
from sync_server.rectification import Complaint, RectificationSource, open_complaint, open_for_rating
from sync_server.workspace.accounts import hash_password
from sync_server.workspace.models import StaffUser
from sync_server.workspace.rectification_escalation import escalate_overdue
from tests.support.chromium import launch
from tests.support.kiosk_factories import STATION
from tests.support.live_server import LiveServer, fresh_database

from .test_browser import CHROMIUM, PASSWORD, SHOTS, playwright_api, sign_in

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
DEPARTMENT = "140502-RS"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("rect-live")
    server = LiveServer(root / "home", fresh_database("sqlite", root)).start()
    app = server.in_app()
    hashed = hash_password(PASSWORD)  # one slow hash for the three accounts
    with get_db(app).transaction(write=True) as session:
        for username, role, dept, station, name in (
            ("wang", "reviewer", DEPARTMENT, None, "王审核"),
            ("desk", "station_staff", None, STATION, "钱窗口"),
            ("sun", "city_supervisor", None, None, "孙督办"),
        ):
            staff = StaffUser(username=username, role=role, department_code=dept, station_code=station,
                              full_name=name, password_hash=hashed, active=True, failed_logins=0)  # fmt: skip
            session.add(staff)
    yield server
    get_db(app).dispose()
    server.stop()


def seed(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A 12345 complaint opened a month ago (both clocks overdue, escalated) and a bad
    rating at collection received now; their ids."""
    reload(app)
    weeks_ago = utcnow() - timedelta(days=30)
    with app.app_context(), get_db(app).transaction(write=True) as session:
        complaint = Complaint(
            source=RectificationSource.hotline, unit_department_code=DEPARTMENT,
            summary="12345 转来：申请人反映养老保险参保登记寄出材料后一周无人联系，电话打不通",
            complainant_name="王秀英", complainant_phone="13800138000",
        )  # fmt: skip
        late = open_complaint(session, complaint, "sun", weeks_ago)
        rating = Evaluation(
            evaluation_uuid=uuid.uuid4(), kiosk_id=None, station_code=STATION, receipt_no=None,
            at_stage="collect", department_code=None, score=2, comment="终端打印机卡纸，等了半小时",
            reasons=["too_slow"], created_at=utcnow(), received_at=utcnow(), content_digest="0" * 64,
            channel="kiosk",
        )  # fmt: skip
        session.add(rating)
        for score, reasons in ((5, ["close_to_home", "fast"]), (5, ["helpful_staff"]), (4, ["close_to_home"]),
                               (3, ["guide_unclear"])):  # fmt: skip
            session.add(Evaluation(
                evaluation_uuid=uuid.uuid4(), kiosk_id=None, station_code=STATION, receipt_no=None,
                at_stage="collect", department_code=None, score=score, comment="", reasons=reasons,
                created_at=utcnow(), received_at=utcnow(), content_digest="0" * 64, channel="kiosk",
            ))  # fmt: skip
        session.flush()
        fresh = open_for_rating(session, rating, utcnow())
        assert fresh is not None
        told = escalate_overdue(session, utcnow())
        assert {e.clock for e in told} == {"contact", "fix"}
        return late.id, fresh.id


def test_rectifications_in_chromium(live: LiveServer) -> None:
    late, fresh = seed(live.in_app())
    with playwright_api.sync_playwright() as pw:
        browser = launch(pw)

        sun = sign_in(browser, live.url, "sun", "dashboard", 760)
        sun.click("text=整改督办")
        sun.wait_for_url("**/workspace/rectifications")  # the list loaded, not the dashboard still
        rows = sun.locator("table.rectifications tbody tr")
        assert rows.count() == 2
        overdue = sun.locator(f'tr[data-rectification="{late}"]')
        assert "overdue" in (overdue.get_attribute("class") or "")
        assert overdue.locator(".badge.late").count() == 2  # both clocks escalated
        assert "督办提醒" in sun.inner_text(".reminders")  # the city supervisor was told
        sun.screenshot(path=str(SHOTS / "rectification-list.png"), full_page=True)

        wang = sign_in(browser, live.url, "wang", "inbox", 900)
        wang.goto(f"{live.url}/workspace/rectifications")
        assert "督办提醒" in wang.inner_text(".reminders")
        wang.click(f'tr[data-rectification="{late}"] a')
        wang.wait_for_url(f"**/workspace/rectifications/{late}")
        assert "已超期" in wang.inner_text(".limits")
        wang.fill(".step-contact textarea", "已电话联系王秀英，说明材料已于当日收到，正在办理")
        wang.click(".step-contact button")
        wang.wait_for_url("**done=contact")
        assert "已记录联系申请人" in wang.inner_text(".alert.ok")
        assert wang.locator(".step-verify textarea").count() == 1  # the next steps open up
        wang.screenshot(path=str(SHOTS / "rectification-page.png"), full_page=True)

        desk = sign_in(browser, live.url, "desk", "pickups", 900)
        desk.goto(f"{live.url}/workspace/rectifications/{fresh}")
        desk.fill(".appeal textarea", "当日打印机卡纸已当场更换，已向申请人道歉，评价针对设备而非服务")
        desk.click(".appeal button")
        desk.wait_for_url("**done=appeal")
        assert "申诉中" in desk.inner_text("h1")

        sun.set_viewport_size({"width": 1440, "height": 900})
        sun.goto(f"{live.url}/workspace/rectifications?show=appealed")
        sun.click(f'tr[data-rectification="{fresh}"] a')
        sun.wait_for_url(f"**/workspace/rectifications/{fresh}")
        sun.check("input[value=rejected]")
        sun.fill(".decision textarea", "设备故障亦属服务问题，请完成整改并回访")
        sun.screenshot(path=str(SHOTS / "rectification-appeal.png"), full_page=True)
        sun.click(".decision button")
        sun.wait_for_url("**done=decision")
        assert "申诉不成立" in sun.inner_text(".steps")

        sun.click("text=好差评")
        sun.wait_for_url("**/workspace/ratings")
        sun.select_option("select[name=by]", "station")
        sun.click(".filters button")
        sun.wait_for_url("**by=station**")
        summary = sun.inner_text("table.ratings-summary")
        assert "东街街道便民服务中心" in summary and "就近办理方便 2" in summary
        assert sun.locator("table.ratings tbody tr").count() == 5
        sun.screenshot(path=str(SHOTS / "rectification-ratings.png"), full_page=True)
        browser.close()
    with get_db(live.in_app()).transaction() as session:
        states = dict(session.execute(select(Rectification.id, Rectification.state)).all())
    assert states == {late: "in_progress", fresh: "open"}
