"""End to end in Debian's Chromium: a kiosk syncs real submissions, staff decide them.

The server runs on loopback (werkzeug thread, SQLite); the kiosk side is the real kiosk
store and sync client (``kiosk/sync``). Screenshots land in docs/screenshots/.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from reportlab.pdfgen import canvas

from kiosk.store import KioskStore, Outbox
from kiosk.sync.enroll import enroll
from kiosk.sync.service import SyncService
from shared_schema.forms import LEDGER_COLUMNS
from shared_schema.render.fonts import cjk_font
from sync_server.db import get_db
from sync_server.workspace.accounts import create_user
from tests.kiosk_backbone.conftest import FAST
from tests.support.chromium import CHROMIUM, LOCALE, launch
from tests.support.kiosk_factories import STATION, finalize_one
from tests.support.live_server import LiveServer, fresh_database

playwright_api = pytest.importorskip("playwright.sync_api")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("ws-live")
    server = LiveServer(root / "home", fresh_database("sqlite", root)).start()
    app = server.app()
    with get_db(app).transaction(write=True) as session:
        create_user(session, "wang", "reviewer", PASSWORD, department_code="140502-RS", full_name="王审核")
        create_user(session, "desk", "station_staff", PASSWORD, station_code=STATION, full_name="钱窗口")
        create_user(session, "zhao", "city_admin", PASSWORD, full_name="赵管理")
    get_db(app).dispose()
    yield server
    server.stop()


def result_pdf() -> bytes:
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setFont(cjk_font(), 16)
    pdf.drawString(100, 750, "城乡居民基本养老保险参保证明（电子）")
    pdf.save()
    return buf.getvalue()


def document_page(title: str, lines: list[str]) -> bytes:
    """A legible scanned-looking page (JPEG) with Chinese text, for realistic screenshots."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 26)
    image = Image.new("RGB", (827, 1169), (250, 249, 245))
    draw = ImageDraw.Draw(image)
    draw.text(
        (413, 90),
        title,
        fill=(20, 20, 20),
        font=ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 36),
        anchor="mm",
    )
    for i, line in enumerate(lines):
        draw.text((90, 180 + i * 56), line, fill=(30, 30, 30), font=font)
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=80)
    return buf.getvalue()


ID_LINES = ["姓名　王秀英", "性别　女　民族　汉", "出生　1998 年 5 月 17 日", "住址　晋城市城区东街"]
FORM_LINES = ["参保人姓名：王秀英", "户籍地址：晋城市城区东街", "缴费档次：每年 500 元", "申请人签字：王秀英"]


def pages(seed: int) -> list[bytes]:
    return [
        document_page("居民身份证（复印件）", [*ID_LINES, f"第 {seed} 份"]),
        document_page("城乡居民基本养老保险参保登记表", FORM_LINES),
    ]


def full_set(seed: int) -> list[bytes]:
    """All five pages the matter asks for, in its order: a complete submission."""
    return [
        document_page("居民身份证（人像面）", [*ID_LINES, f"第 {seed} 份"]),
        document_page("居民身份证（国徽面）", ["签发机关　晋城市公安局城区分局", "有效期限　2016-2036"]),
        document_page("居民户口簿（户主页）", ["户主姓名　王建国", "住址　晋城市城区东街 12 号"]),
        document_page("居民户口簿（本人页）", ["姓名　王秀英", "与户主关系　女"]),
        document_page("城乡居民基本养老保险参保登记表", FORM_LINES),
    ]


def sign_in(browser, url: str, username: str, landing: str, height: int):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1440, "height": height}, locale=LOCALE)
    page.goto(f"{url}/workspace/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/workspace/{landing}")
    return page


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The whole page; the window made tall enough that the sticky side column shows in full."""
    size = page.viewport_size
    tall = (
        "Math.max(document.documentElement.scrollHeight,"
        " (document.querySelector('.side') || {}).scrollHeight + 160 || 0)"
    )
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], page.evaluate(tall))})
    page.screenshot(path=str(SHOTS / f"workspace-{name}.png"), full_page=True)
    page.set_viewport_size(size)


def test_staff_decide_synced_submissions_in_chromium(live: LiveServer, tmp_path: Path) -> None:
    home = tmp_path / "kiosk"
    enroll(home, live.url, live.enrollment_code(STATION))
    with KioskStore(home) as store:
        scans = {1: pages(1), 2: full_set(2), 3: pages(3)}
        uuids = [finalize_one(store, seed, page_data=data) for seed, data in scans.items()]
        report = SyncService(store, FAST).run_once()
        assert report.error is None and len(report.pushed.acknowledged) == 3, report

    pdf_path = tmp_path / "result.pdf"
    pdf_path.write_bytes(result_pdf())
    with playwright_api.sync_playwright() as pw:
        browser = launch(pw)
        page = sign_in(browser, live.url, "wang", "inbox", 900)
        assert page.locator("table.grid tbody tr").count() == 3
        assert "城乡居民基本养老保险参保登记" in page.content()
        assert page.locator("table.grid tbody tr:has(.badge.incomplete)").count() == 2  # 2 of 5 pages
        shot(page, "inbox")

        page.locator("table.grid tbody tr a").first.click()
        page.wait_for_selector("#do-correct")
        page.locator(".zoom button[data-zoom=in]").first.click()
        page.check("input[name=item] >> nth=0")
        page.fill("textarea[name=items_text]", "户口簿本人页复印件不清晰，请重新提供")
        shot(page, "review")
        page.set_viewport_size({"width": 1366, "height": 768})  # a laptop, scrolled to the last page
        page.locator("figure.page").last.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "workspace-review-laptop.png"))
        page.set_viewport_size({"width": 1440, "height": 900})
        page.click("#do-correct")
        page.wait_for_selector("text=补正告知已发出")
        page.click("#do-accept")
        page.wait_for_selector("text=已受理。")
        page.select_option("select[name=kind]", "inspection")
        page.fill("form:has(#do-special-start) input[name=reason]", "核实申请人居住情况，需现场勘验")
        page.click("#do-special-start")
        page.wait_for_selector("text=特殊环节已开始")
        shot(page, "special-stage")
        page.fill("form:has(#do-special-end) input[name=reason]", "勘验属实")
        page.click("#do-special-end")
        page.wait_for_selector("text=特殊环节已结束")
        page.fill("form:has(#do-complete) input[name=opinion]", "准予参保登记")
        page.set_input_files("input[name=pdf]", str(pdf_path))
        page.click("#do-complete")
        page.wait_for_selector("text=已办结。")
        shot(page, "completed")

        page.goto(f"{live.url}/workspace/ledger")
        assert page.locator("table.ledger tbody tr").count() == 3
        shot(page, "ledger")
        with page.expect_download() as download:
            page.click("#export-xlsx")
        saved = tmp_path / "ledger.xlsx"
        download.value.save_as(saved)
        sheet = load_workbook(saved).active
        rows = [[c.value for c in r] for r in sheet.iter_rows()]
        assert rows[0] == [label for _, label in LEDGER_COLUMNS] and len(rows) == 4
        assert any(r[9] == "已办结" and r[8] == "王审核" for r in rows[1:])

        admin = sign_in(browser, live.url, "zhao", "inbox", 700)
        assert admin.locator("table.grid thead th").nth(1).inner_text() == "办理部门"
        assert admin.locator("td.dept", has_text="晋城市城区人力资源和社会保障局").count() == 3
        shot(admin, "inbox-admin")

        desk = sign_in(browser, live.url, "desk", "pickups", 700)
        assert desk.locator("table.grid tbody tr form").count() == 1
        shot(desk, "pickups")
        browser.close()

    # The kiosk learns every decision from its status feed on the next sync.
    with KioskStore(home) as store:
        report = SyncService(store, FAST).run_once()
        assert report.error is None and report.feed_changes > 0
        states = sorted(e.state.value for e in Outbox(store).entries() if e.client_uuid in uuids)
    assert "completed" in states, states
