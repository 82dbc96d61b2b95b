"""The review page at a laptop's 1366×768 in Debian's Chromium: the action panel stays in view.

Its own small setup (the server factories' catalog, cases through the real API, the app
served by werkzeug on a free loopback port), so it runs without the kiosk side.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.server.factories import png_page
from tests.support.chromium import CHROMIUM, LOCALE, launch

from .conftest import PASSWORD, new_case

playwright_api = pytest.importorskip("playwright.sync_api")
LAPTOP = {"width": 1366, "height": 768}

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


@pytest.fixture
def served(app, staff) -> Iterator[str]:  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def in_view(page, selector: str) -> bool:  # type: ignore[no-untyped-def]
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not rendered"
    bottom, right = box["y"] + box["height"], box["x"] + box["width"]
    return box["y"] >= 0 and bottom <= LAPTOP["height"] and right <= LAPTOP["width"]


def test_the_action_panel_stays_beside_the_pages(app, client, kiosk, served) -> None:  # type: ignore[no-untyped-def]
    scans = [png_page(100 + i, (800, 1130)) for i in range(4)]  # four A4-shaped scans: a long page
    case = new_case(app, client, kiosk, pages=scans)
    with playwright_api.sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport=LAPTOP, locale=LOCALE)
        page.goto(f"{served}/workspace/login")
        page.fill("input[name=username]", "rev_a")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/workspace/inbox")
        assert "沁水县人社局" in page.inner_text("header")

        page.goto(f"{served}/workspace/submissions/{case}")
        page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalHeight > 0)")
        assert page.evaluate("document.documentElement.scrollHeight") > 3 * LAPTOP["height"]
        assert in_view(page, "#do-accept") and in_view(page, "#do-correct")  # no scrolling needed

        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_function("() => window.scrollY > 2 * window.innerHeight")
        assert in_view(page, ".side .actions h2") and in_view(page, "#do-accept")

        # an empty correction notice: back on the case, told why, the panel still in view
        page.click("#do-correct")
        page.wait_for_selector("#decision-error")
        assert "请列出需要补正的全部内容" in page.inner_text("#decision-error")
        assert in_view(page, "#decision-error") and in_view(page, "#do-correct")
        browser.close()
