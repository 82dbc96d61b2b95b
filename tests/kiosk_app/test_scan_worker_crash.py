"""The real app when its scan worker dies mid-capture (``tongban kiosk run --script faults``).

The resident has one page captured; the worker is killed while it holds the next one.
The screen says so in Chinese, the captured page and its draft file are still there,
the same button captures again with a new worker, and Home stops the worker.
"""

from __future__ import annotations

import shutil

import pytest

from tests.kiosk_app.kiosk_run import run_kiosk

pytestmark = [pytest.mark.gui, pytest.mark.skipif(not shutil.which("Xvfb"), reason="Xvfb not installed")]


def test_worker_crash_is_told_and_the_resident_retries_without_losing_pages(tmp_path):
    report = run_kiosk(tmp_path / "home", "faults", tmp_path / "shots", timeout=600)  # loaded machine
    assert report["ok"], report["error"]
    faults = report["faults"]
    assert faults["message"] == "扫描程序刚才中断了，您已拍好的材料都还在，请再试一次。"
    assert faults["pages_kept"] == {"id_card_front": 1} and faults["drafts_kept"] == 1
    assert faults["retake_ok"] and faults["workers_started"] == 2
    assert faults["worker_stopped_at_home"]
