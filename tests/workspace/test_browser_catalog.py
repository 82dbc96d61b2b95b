"""The catalog pages in Debian's Chromium (issue 14): the administrator drafts a version,
edits a guide (a mistake is shown beside its field, then fixed), publishes with a reason;
the public page shows the new version on a phone and prints. Screenshots:
docs/screenshots/catalog-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sync_server.db import get_db
from sync_server.workspace.accounts import hash_password
from sync_server.workspace.models import StaffUser
from tests.support.chromium import LOCALE, launch
from tests.support.live_server import LiveServer, fresh_database

from .test_browser import CHROMIUM, PASSWORD, SHOTS, playwright_api, sign_in

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
MATTER = "JC-BDC-001"  # 不动产权证书补证: a guide with several materials


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("catalog-live")
    server = LiveServer(root / "home", fresh_database("sqlite", root)).start()
    app = server.in_app()
    with get_db(app).transaction(write=True) as session:
        session.add(
            StaffUser(
                username="zhao",
                role="city_admin",
                full_name="赵管理",
                password_hash=hash_password(PASSWORD),
                active=True,
                failed_logins=0,
            )
        )
    yield server
    get_db(app).dispose()
    server.stop()


def test_edit_a_guide_publish_and_read_it_on_the_public_page(live: LiveServer) -> None:
    with playwright_api.sync_playwright() as p:
        browser = launch(p)
        admin = sign_in(browser, live.url, "zhao", "inbox", 900)
        admin.click("nav >> text=事项清单")
        admin.wait_for_url("**/workspace/catalog")
        admin.click("button:has-text('基于现行版本新建草稿')")
        admin.wait_for_url("**/workspace/catalog/drafts/*")
        admin.click(f"#m-{MATTER} >> text=编辑指南")
        admin.wait_for_selector("form.guide-editor")
        hours = "周一至周六 8:30-17:30，法定节假日除外"
        admin.fill("input[name='guide.hours']", hours)
        admin.fill("input[name='guide.materials.0.copies']", "两份")  # a mistake
        admin.fill("input[name='county.140525.location']", "泽州县政务服务中心一楼不动产窗口")
        admin.click("button:has-text('校验并保存到草稿')")
        error = admin.locator("td.invalid:has(input[name='guide.materials.0.copies']) .field-error")
        assert error.inner_text() == "应填整数"
        assert admin.input_value("input[name='guide.hours']") == hours  # what was typed is kept
        error.scroll_into_view_if_needed()
        admin.screenshot(path=str(SHOTS / "catalog-editor-error.png"))
        admin.fill("input[name='guide.materials.0.copies']", "1")
        admin.click("button:has-text('校验并保存到草稿')")
        admin.wait_for_selector("text=已保存")
        assert admin.locator(".grid.diff td.new", has_text=hours).count() == 1
        admin.fill("input[name=reason]", "统一不动产登记窗口周六办理时间")
        admin.screenshot(path=str(SHOTS / "catalog-draft-diff.png"), full_page=True)
        admin.click("button:has-text('发布为新版本')")
        admin.wait_for_url("**/workspace/catalog?published=*")
        version = admin.url.rsplit("=", 1)[1]
        assert admin.locator("tr.current", has_text="统一不动产登记窗口周六办理时间").count() == 1
        admin.screenshot(path=str(SHOTS / "catalog-versions.png"), full_page=True)

        phone = browser.new_page(viewport={"width": 390, "height": 844}, locale=LOCALE, is_mobile=True)
        phone.goto(f"{live.url}/public/catalog")  # no login
        assert version in phone.inner_text(".masthead")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        phone.screenshot(path=str(SHOTS / "catalog-public-phone.png"), full_page=True)
        phone.click(f"a[href$='/{MATTER}']")
        phone.wait_for_selector("article.guide")
        assert hours in phone.inner_text("article.guide")
        assert "泽州县政务服务中心一楼不动产窗口" in phone.inner_text("table.counties")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(path=str(SHOTS / "catalog-public-guide-phone.png"), full_page=True)
        phone.emulate_media(media="print")
        assert not phone.locator("button[data-print]").is_visible()  # the print CSS hides the controls
        phone.set_viewport_size({"width": 794, "height": 1123})
        phone.screenshot(path=str(SHOTS / "catalog-public-guide-print.png"), full_page=True)
        browser.close()
