"""督办看板 in Debian's Chromium: the charts draw (inline SVG, no script, no network), a bar
is a link to its cases, the drill-down exports XLSX; screenshots into docs/screenshots/.

The data set: 600 cases over the last 90 days across the catalog's departments, stations
and matters, with ratings and two kiosks (one silent, one on an old catalog) — written as
rows, as the bench does, so the pages have something to show.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from sync_server.db import get_db, utcnow
from sync_server.models import (
    Department,
    DepartmentMatter,
    Evaluation,
    Kiosk,
    KioskHeartbeat,
    Station,
    Submission,
    SubmissionEvent,
)
from sync_server.workdays import add_working_days, local_date
from sync_server.workspace.accounts import create_user
from tests.support.chromium import launch
from tests.support.live_server import LiveServer, fresh_database

from .test_browser import CHROMIUM, PASSWORD, SHOTS, sign_in

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
STATES = ["delivered"] * 5 + ["completed"] * 2 + ["accepted"] * 3 + ["routed"] * 2 + ["correction_requested"]


def fill(session, n: int = 600) -> str:  # type: ignore[no-untyped-def]
    """Cases, ratings and kiosks; returns the department with the most cases."""
    rng = random.Random(14)
    pairs = session.execute(
        select(DepartmentMatter.matter_code, DepartmentMatter.department_code)
        .join(Department, Department.code == DepartmentMatter.department_code)
        .where(~Department.is_triage)
    ).all()
    stations = list(session.scalars(select(Station.code)))
    now = utcnow()
    for i in range(1, n + 1):
        matter, dept = pairs[int(rng.triangular(0, len(pairs) - 1, 0))]
        state, station = rng.choice(STATES), rng.choice(stations)
        collected = now - timedelta(minutes=rng.randint(60, 90 * 24 * 60))
        transferred = collected + timedelta(hours=rng.choice([1, 1, 1, 2, 60]))
        accepted = (
            transferred + timedelta(days=rng.choice([0.2, 1, 2, 9]))
            if state not in ("routed", "correction_requested")
            else None
        )
        done = (
            accepted + timedelta(days=rng.choice([2, 4, 12]))
            if accepted and state in ("completed", "delivered")
            else None
        )
        delivered = done + timedelta(days=rng.choice([1, 3, 9])) if done and state == "delivered" else None
        sub = Submission(
            client_uuid=uuid.UUID(int=i), receipt_no=f"{station}-D01-{local_date(collected):%Y%m%d}-{i:04d}",
            station_code=station, matter_code=matter, catalog_version="2024.06.01", applicant_kind="person",
            applicant_name=rng.choice("王李张刘陈杨") + rng.choice(["秀英", "建国", "丽", "伟"]),
            applicant_id_number="11010519491231002X", applicant_phone="13800138000",
            home_division=dept[:6] + "001001", delivery_method="pickup", manifest={}, content_digest="0" * 64,
            source="bundle" if i % 9 == 0 else "api", state=state, department_code=dept, ack_body="{}",
            collected_at=collected, received_at=transferred, transferred_at=transferred,
            transfer_due=add_working_days(local_date(collected), 2), accepted_at=accepted,
            promised_due=add_working_days(local_date(accepted), 10) if accepted else None,
            completed_at=done, delivered_at=delivered, notice_from=transferred, notice_answered_at=accepted,
        )  # fmt: skip
        session.add(sub)
        session.flush()
        if accepted:
            event = SubmissionEvent(submission_id=sub.id, state="accepted", at=accepted, actor="rev",
                                    message_zh="申请已受理", detail={"action": "accept"})  # fmt: skip
            session.add(event)
        if rng.random() < 0.7:
            session.add(Evaluation(evaluation_uuid=uuid.UUID(int=10_000 + i), station_code=station,
                                   receipt_no=sub.receipt_no, at_stage="collect", department_code=dept,
                                   score=rng.choice([5] * 12 + [4] * 4 + [3, 2, 1]), comment="", reasons=[],
                                   created_at=collected, content_digest="0" * 64))  # fmt: skip
    for kiosk_id, station, beat, version in (("K01", stations[0], now - timedelta(hours=5), None),
                                             ("K02", stations[-1], now, "2020.01.01")):  # fmt: skip
        session.add(Kiosk(kiosk_id=kiosk_id, station_code=station, name=f"自助终端{kiosk_id}",
                             secret_hash="x" * 64, bundle_key="y" * 64))  # fmt: skip
        session.flush()
        session.add(KioskHeartbeat(kiosk_id=kiosk_id, received_at=beat, queue_length=3, disk_free_bytes=10**9,
                                   app_version="0.1.0", catalog_version=version or "2024.06.01"))  # fmt: skip
    counts: dict[str, int] = {}
    for dept in session.scalars(select(Submission.department_code)):
        counts[dept] = counts.get(dept, 0) + 1
    return max(counts, key=counts.__getitem__)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    root = tmp_path_factory.mktemp("dash-live")
    server = LiveServer(root / "home", fresh_database("sqlite", root)).start()
    app = server.app()
    with get_db(app).transaction(write=True) as session:
        busiest = fill(session)
        create_user(session, "sun", "city_supervisor", PASSWORD, full_name="孙督办")
        create_user(session, "li", "department_head", PASSWORD, department_code=busiest, full_name="李局长")
    get_db(app).dispose()
    yield server, busiest
    server.stop()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(SHOTS / f"dashboard-{name}.png"), full_page=True)


def test_the_dashboard_in_chromium(live: tuple[LiveServer, str]) -> None:
    server, _ = live
    with playwright_api.sync_playwright() as pw:
        browser = launch(pw)
        page = sign_in(browser, server.url, "sun", "dashboard", 1000)
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: refused.append(r.url) if not r.url.startswith(server.url) else None)
        page.reload()
        assert page.locator("svg.pygal-chart").count() == 5  # one per dimension
        assert page.locator("svg.pygal-chart .bar").first.bounding_box()["width"] > 20  # styled, drawn
        total = int(page.locator(".dash-total").inner_text().split()[1])
        assert total == 600
        shot(page, "volumes")

        page.click("text=时限")
        page.wait_for_url("**/dashboard/deadlines**")
        assert page.locator("td.rate").count() == 4
        shot(page, "deadlines")

        page.click("text=满意度与终端")
        page.wait_for_url("**/dashboard/satisfaction**")
        assert page.locator("#kiosks [data-kiosk=K01]").count() >= 1  # silent for five hours
        assert page.locator("#kiosks li[data-kiosk=K02]").count() == 1  # an old catalog, not silent
        shot(page, "satisfaction")

        page.goto(f"{server.url}/workspace/dashboard")
        bar = page.locator("section[data-dim=department] svg a rect").last  # a bar is a link to its cases
        bar.click()
        page.wait_for_url("**/dashboard/cases**")
        listed = page.locator("tr[data-receipt]").count()
        assert listed > 0 and f"共 {listed} 件" in page.locator("h1").inner_text()
        with page.expect_download() as download:
            page.click("#export")
        assert download.value.suggested_filename == "dashboard-cases.xlsx"
        shot(page, "cases")
        assert refused == []  # no CSP refusal, no request leaving the server

        head = sign_in(browser, server.url, "li", "dashboard", 1000)
        assert int(head.locator(".dash-total").inner_text().split()[1]) < total  # their department only
        assert head.locator("section[data-dim=department] tbody tr").count() == 1
        shot(head, "department")
        browser.close()
