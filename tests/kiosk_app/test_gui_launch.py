"""The real Kivy app under Xvfb: ``tongban kiosk run --script launch`` opens Home.

Runs the kiosk in a subprocess (Kivy keeps one window per process) on a private Xvfb,
with its own KIVY_HOME, and checks the screenshot is a real, non-blank picture.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image

from tests.kiosk_app.kiosk_run import run_kiosk

pytestmark = [pytest.mark.gui, pytest.mark.skipif(not shutil.which("Xvfb"), reason="Xvfb not installed")]


def test_launch_shows_home_in_chinese(tmp_path):
    report = run_kiosk(tmp_path / "home", "launch", tmp_path / "shots")
    assert report["ok"], report["error"]
    (shot,) = report["screenshots"]
    image = np.asarray(Image.open(shot).convert("RGB"))
    assert image.shape[:2] == (800, 1280)
    assert image.std() > 20, "the screenshot is blank"
    header = image[:96]
    assert (header[..., 2] > header[..., 0]).mean() > 0.5, "the dark-blue header is missing"
    assert report["launch_to_home_ms"] > 0
