"""The tier review page in Debian's Chromium (issue 14, 5.2/5.3): the administrator starts a
review over generated handling data of the demo catalog, accepts one proposal with a
reason, closes the review and lands on the new draft. Screenshot: docs/screenshots/tiers-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from sync_server import catalog_tiers as tiers
from sync_server import catalog_versions as versions
from sync_server.db import get_db, utcnow
from sync_server.workdays import local_date
from sync_server.workspace.accounts import hash_password
from sync_server.workspace.models import StaffUser
from tests.server.test_catalog_tiers import add_cases
from tests.support.chromium import launch
from tests.support.live_server import LiveServer, fresh_database

from .test_browser import CHROMIUM, PASSWORD, SHOTS, playwright_api, sign_in

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("tiers-live")
    server = LiveServer(root / "home", fresh_database("sqlite", root)).start()
    app = server.in_app()
    with get_db(app).transaction(write=True) as session:
        admin = StaffUser(username="zhao", role="city_admin", full_name="赵管理",
                          password_hash=hash_password(PASSWORD), active=True, failed_logins=0)  # fmt: skip
        session.add(admin)
        codes = sorted(m.code for m in versions.release_catalog(
            versions.get_release(session, versions.current_version(session))).matters)  # fmt: skip
    start = tiers.Window.before(local_date(utcnow()), 90).start
    for i, code in enumerate(codes):  # 0, 3, 6 … cases: the busiest rank highest
        add_cases(app, code, [start + timedelta(hours=5 * k) for k in range(3 * i)])
    yield server
    get_db(app).dispose()
    server.stop()


def test_review_decide_close_into_a_draft(live: LiveServer) -> None:
    with playwright_api.sync_playwright() as p:
        browser = launch(p)
        admin = sign_in(browser, live.url, "zhao", "inbox", 900)
        admin.goto(f"{live.url}/workspace/catalog")
        assert "下次应于" in admin.inner_text(".tier-due")
        admin.click(".tier-due >> text=办件数据与调整建议")
        admin.wait_for_url("**/workspace/catalog/tiers")
        admin.click("button:has-text('按现行规则开始复核')")
        admin.wait_for_selector("table.tier-proposals tr[data-matter]")
        rows = admin.locator("table.tier-proposals tr[data-matter]")
        assert rows.count() > 3
        first = rows.first
        matter = first.get_attribute("data-matter")
        first.locator("input[name=reason]").fill("近一季度办件量变化明显，按数据调整")
        first.locator("button[value=accept]").click()
        admin.wait_for_selector(f"tr[data-matter='{matter}'] >> text=已采纳")
        admin.screenshot(path=str(SHOTS / "tiers-proposals.png"), full_page=True)
        while admin.locator("button[value=reject]").count():
            row = admin.locator("table.tier-proposals tr:has(button[value=reject])").first
            code = row.get_attribute("data-matter")
            row.locator("input[name=reason]").fill("本季度暂不调整")
            row.locator("button[value=reject]").click()
            admin.wait_for_selector(f"tr[data-matter='{code}'] >> text=不采纳")
        admin.click("button:has-text('完成复核')")
        admin.wait_for_url("**/workspace/catalog/drafts/*")
        assert matter in admin.content()
        browser.close()


def test_rules_form_shows_the_error_beside_its_field_then_saves(live: LiveServer) -> None:
    with playwright_api.sync_playwright() as p:
        browser = launch(p)
        admin = sign_in(browser, live.url, "zhao", "inbox", 900)
        admin.goto(f"{live.url}/workspace/catalog/tiers")
        admin.click("summary:has-text('修改分级规则')")
        admin.check("input[name=method][value=count]")
        admin.fill("input[name=high_min]", "30")
        admin.fill("input[name=medium_min]", "50")  # above the high tier's floor
        admin.fill("input[name=cycle_months]", "3")
        admin.click("button:has-text('保存规则')")
        problem = admin.wait_for_selector("label.invalid:has(input[name=medium_min]) .field-error")
        assert problem.inner_text() == "中频下限不能高于高频下限"
        assert admin.input_value("input[name=medium_min]") == "50"  # what was typed stays
        admin.screenshot(path=str(SHOTS / "tiers-rules-error.png"), full_page=True)
        admin.fill("input[name=medium_min]", "10")
        admin.click("button:has-text('保存规则')")
        admin.wait_for_selector("text=规则已保存")
        assert "按办件量（30 件及以上为高频，10 件及以上为中频）" in admin.inner_text(".tier-cycle")
        browser.close()
