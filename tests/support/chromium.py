"""Debian's Chromium for the Playwright tests, in Chinese as on a resident's phone.

A context's ``locale`` changes only what pages read (Accept-Language, ``navigator.language``,
date formats in script). The browser's own widgets — a file input's 选择文件 / 未选择任何文件,
a date input's 年/月/日 — are drawn in the browser's UI language: headless Chromium takes
it from ``LANGUAGE`` (``--lang`` alone is ignored without a window) and finds its strings
in Debian's ``chromium-l10n`` (the Makefile's Debian list). Without them every screenshot
shows "Choose File".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
LOCALE = "zh-CN"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", f"--lang={LOCALE}"]  # fmt: skip
UI_STRINGS = Path("/usr/lib/chromium/locales") / f"{LOCALE}.pak"  # from chromium-l10n


def launch(pw: Any) -> Any:
    """Chromium with a Chinese UI (pages still need ``locale=LOCALE`` on their context)."""
    if not UI_STRINGS.is_file():
        raise AssertionError(
            f"{UI_STRINGS} is missing: Chromium would draw its widgets in English. "
            "Install Debian's chromium-l10n (make system-deps)."
        )
    env = {**os.environ, "LANGUAGE": "zh_CN:zh"}
    return pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, env=env)


def native_text(page: Any, selector: str) -> list[str]:
    """The text the browser draws inside the element (its user-agent shadow tree, which
    page script cannot read; the DevTools protocol can): what a screenshot shows."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node_id = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node_id, f"no element matches {selector!r}"
        node = cdp.send("DOM.describeNode", {"nodeId": node_id, "depth": -1, "pierce": True})["node"]
    finally:
        cdp.detach()
    return [text for text in _texts(node) if text.strip()]


def _texts(node: dict[str, Any]) -> list[str]:
    own = [node["nodeValue"]] if node.get("nodeType") == 3 else []  # a text node
    children = (*node.get("shadowRoots", ()), *node.get("children", ()))
    return own + [text for child in children for text in _texts(child)]
