"""The online zone end to end in Debian's Chromium on a phone (mobile emulation): sign in
with the SMS code, apply with photographed materials, get a correction request from a
reviewer, upload the missing page to the same case, get the electronic result, download
it, rate it. Screenshots of each online page land in docs/screenshots/online-*.png, in
Chinese down to the browser's own file inputs (``tests.support.chromium``).

The server is ``tongban server run`` (gunicorn, SQLite, the packaged demo catalog) with
its embedded scan worker, so every page is read by the real scan queue and pipeline.
Pages are the scan tests' generated phone photos; the same photo stands for every
material of the application, so it is scanned once (a page's scan job is per owner and
content), and the correction sends one new photo.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.scan.synth.photos import phone_photos
from sync_server.db import get_db
from sync_server.workspace.accounts import create_user
from tests.server.factories import id_number
from tests.support.chromium import CHROMIUM, LOCALE, launch, native_text
from tests.support.live_server import LiveServer, fresh_database
from tests.support.waiting import wait_until
from tests.workspace.test_browser import PASSWORD, result_pdf, sign_in

playwright_api = pytest.importorskip("playwright.sync_api")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = "13812345678"
MATTER = "JC-RS-001"  # demo catalog: 城乡居民基本养老保险参保登记, online, electronic result
HOME = "140502"  # 城区: decided by 140502-RS
MISSING = "居民户口簿（户主页及本人页）"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("online-live")
    server = LiveServer(root / "home", fresh_database("sqlite", root), gunicorn=True, workers=2)
    app = server.app()
    with get_db(app).transaction(write=True) as session:
        create_user(session, "wang", "reviewer", PASSWORD, department_code=f"{HOME}-RS", full_name="王审核")
    get_db(app).dispose()
    server.start()
    yield server
    server.stop()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"online-{name}.png"), full_page=True)


def sms_code(live: LiveServer) -> str:
    rows = live.query("SELECT text FROM sms_log WHERE phone = :p ORDER BY id DESC", p=PHONE)
    found = next((m.group(1) for m in (re.search(r"验证码是(\d{6})", r[0]) for r in rows) if m), None)
    assert found, "no sign-in code in sms_log"
    return found


def scans_settled(live: LiveServer, count: int) -> bool:
    """At least ``count`` scan jobs, none still queued or running."""
    states = [r[0] for r in live.query("SELECT state FROM scan_jobs")]
    return len(states) >= count and all(s in ("done", "failed") for s in states)


def listed(page: Any, count: int) -> bool:
    """``count`` pages listed on the materials page (False while the script reloads it)."""
    try:
        return page.locator(".material li").count() == count
    except playwright_api.Error:
        return False


def test_apply_correct_receive_and_rate_on_a_phone(live: LiveServer, tmp_path: Path) -> None:
    generated = phone_photos(4, seed=0)  # 0, 2 and 3 pass the quality gate (1 is too small)
    photo, second, missing_page = (tmp_path / f"photo-{i}.jpg" for i in (0, 2, 3))
    for path, index in zip((photo, second, missing_page), (0, 2, 3), strict=True):
        path.write_bytes(generated[index])
    pdf = tmp_path / "result.pdf"
    pdf.write_bytes(result_pdf())

    with playwright_api.sync_playwright() as pw:
        browser = launch(pw)
        phone = browser.new_context(**pw.devices["Pixel 5"], locale=LOCALE).new_page()

        # Sign in: the code arrives by SMS (sms_log stands in for the gateway).
        phone.goto(f"{live.url}/online/sign-in")
        phone.fill("input[name=phone]", PHONE)
        shot(phone, "sign-in")
        phone.click("button[type=submit]")
        phone.wait_for_selector("input[name=code]")
        phone.fill("input[name=code]", sms_code(live))
        shot(phone, "verify")
        phone.click("button.primary")
        phone.wait_for_url("**/online/")

        # Apply: matter, guide, applicant, materials (photographed), review, submit.
        phone.goto(f"{live.url}/online/matters")
        shot(phone, "matters")
        phone.goto(f"{live.url}/online/matters/{MATTER}")
        shot(phone, "guide")
        phone.click("text=开始网上申请")
        phone.wait_for_selector("select[name=home_division]")
        phone.fill("input[name=name]", "王秀英")
        phone.fill("input[name=id_number]", id_number(HOME, serial=321))
        phone.select_option("select[name=home_division]", HOME)
        shot(phone, "applicant")
        phone.click("button.primary")
        phone.wait_for_selector("#materials")
        codes = phone.locator(".material").evaluate_all("els => els.map(e => e.dataset.requirement)")
        # the file input as the screenshots show it: Chromium's own words, in Chinese
        assert native_text(phone, ".material input[type=file]") == ["选择文件", "未选择任何文件"]
        uploads = [(code, photo) for code in codes] + [("household_register", second)]  # 户主页 and 本人页
        for number, (code, path) in enumerate(uploads, start=1):
            box = phone.locator(f".material[data-requirement={code}]")
            box.locator("input[type=file]").set_input_files(str(path))
            box.locator("form.upload button[type=submit]").click()  # the script uploads in chunks, reloads
            wait_until(lambda n=number: listed(phone, n), "the page listed")
        wait_until(lambda: scans_settled(live, 2), "the application's pages scanned")
        phone.reload()
        assert phone.locator("#reading").count() == 0 and phone.locator(".good").count() == 5
        shot(phone, "materials")
        phone.click("text=下一步：核对并提交")
        phone.wait_for_selector("input[name=promise]")
        phone.check("input[name=delivery][value=online]")
        phone.check("input[name=promise]")
        shot(phone, "review")
        phone.click("text=确认并提交申请")
        receipt = phone.locator(".receipt").inner_text().strip()
        shot(phone, "done")
        sms = live.query("SELECT text FROM sms_log WHERE phone = :p ORDER BY id DESC", p=PHONE)
        assert receipt in sms[0][0] and "http" not in sms[0][0]  # plain text for a feature phone

        # A reviewer asks for one material again (一次性告知).
        desk = sign_in(browser, live.url, "wang", "inbox", 900)
        row = desk.locator("table.grid tbody tr", has_text=receipt)
        assert row.count() == 1
        row.locator("a").first.click()
        desk.wait_for_selector("#do-correct")
        desk.check(f"input[name=item][value='请补正：{MISSING}']")
        desk.click("#do-correct")
        desk.wait_for_selector("text=补正告知已发出")

        # The resident sees it, uploads the missing page to the SAME case and sends it.
        phone.goto(f"{live.url}/online/cases")
        assert phone.locator(".tag", has_text="需补正").count() == 1
        shot(phone, "cases")
        phone.click(f"text={receipt}")
        phone.wait_for_selector("#correction")
        assert MISSING in phone.locator("#correction").inner_text()
        shot(phone, "case-correction")
        phone.click("text=上传补正材料")
        phone.locator("input[type=file]").set_input_files(str(missing_page))
        phone.click("form.upload button[type=submit]")
        phone.wait_for_selector("ul.pages li")
        wait_until(lambda: scans_settled(live, 3), "the correction page scanned")
        phone.reload()
        assert phone.locator("ul.pages .good").count() == 1
        shot(phone, "correct")
        phone.click("#send-correction")
        phone.wait_for_selector("text=补正材料已提交")
        assert phone.locator(".state").inner_text() == "待受理"
        assert live.query("SELECT count(*) FROM submissions")[0][0] == 1  # the same case, never a new one

        # The department accepts and completes with an electronic result.
        desk.reload()
        desk.wait_for_selector("#do-accept")
        desk.click("#do-accept")
        desk.wait_for_selector("text=已受理。")
        desk.fill("form:has(#do-complete) input[name=opinion]", "准予参保登记")
        desk.set_input_files("input[name=pdf]", str(pdf))
        desk.click("#do-complete")
        desk.wait_for_selector("text=已办结。")

        # The resident downloads it and rates it, once.
        phone.goto(f"{live.url}/online/cases/{receipt}")
        phone.wait_for_selector("#results")
        shot(phone, "case-result")
        with phone.expect_download() as download:
            phone.click("a.download")
        saved = tmp_path / "downloaded.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF-") and len(saved.read_bytes()) > len(pdf.read_bytes())
        phone.reload()
        phone.check("input[name=score][value='5']")
        phone.check("input[name=reason][value=fast]")
        phone.fill("textarea[name=comment]", "在家就办好了")
        phone.click("text=提交评价")
        phone.wait_for_selector("text=感谢您的评价")
        assert phone.locator("#rating form").count() == 0  # 一次一评
        shot(phone, "case-rated")
        browser.close()

    state, delivered = live.query("SELECT state, delivered_at FROM submissions")[0]
    assert state == "delivered" and delivered is not None  # 线上领取: delivered at the download
    rating = live.query("SELECT channel, at_stage, score FROM evaluations")
    assert [tuple(r) for r in rating] == [("online", "handle", 5)]
    pages = live.query("SELECT supplement FROM submission_pages ORDER BY position")
    assert [p[0] for p in pages][-1] == 1  # the supplement's page joined the case
