"""The quality gate: each problem is raised on a capture that has it, and only there."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.scan.quality import MESSAGES, assess
from kiosk.scan.synth.camera import photograph, random_params
from kiosk.scan.synth.testpage import render_page


def codes(report) -> set[str]:
    return {p.code for p in report.problems}


@pytest.mark.parametrize("seed", [51, 52])
def test_good_capture_passes(examine, seed):
    report, _ = examine(seed)
    assert report.ok, (report.problems, report.metrics)
    assert report.metrics["effective_dpi"] >= 90


def test_blurry_capture_is_left_to_its_reading(examine):
    """Soft print is a doubt, not a refusal: the reading settles it (``settle.settle``)."""
    report, _ = examine(51, blur_sigma=1.4)
    assert [p.code for p in report.doubts] == ["blurry"] and report.ok, report.metrics
    assert report.doubts[0].message == MESSAGES["blurry"]


@pytest.mark.parametrize(
    ("code", "overrides"),
    [
        ("too_dark", {"exposure": 0.18}),
        ("overexposed", {"exposure": 1.3, "veil": 0.6}),
        ("glare", {"glare": 0.08, "glare_at": (0.5, 0.4)}),  # over the lines: print washed out
        ("low_resolution", {"fill": 0.33}),
    ],
)
def test_bad_capture_is_rejected_with_its_reason(examine, code, overrides):
    report, _ = examine(51, **overrides)
    assert code in codes(report), report.metrics
    assert not report.ok
    message = next(p.message for p in report.problems if p.code == code)
    assert message == MESSAGES[code] and any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_page_cut_off_by_the_frame(examine, page150):
    params = random_params(53, (2000, 1500), background="dark", fill=0.85, glare=0.0, shadow=0.0)
    cap = photograph(page150, params, 53)
    shift = int(cap.quad[:, 1].min()) + 120  # the page's top runs 120 px out of the frame
    image = np.roll(cap.image, -shift, axis=0)
    image[-shift:] = image[-shift - 1]
    report, found = examine(53, image=image)
    assert "cut_off" in codes(report), found.touches


def test_empty_desk_has_no_page(examine):
    desk = np.random.default_rng(1).integers(40, 80, (1500, 2000, 3), dtype=np.uint8)
    report, _ = examine(0, image=desk)
    assert "no_page" in codes(report)


def test_blank_sheet(examine):
    blank = np.full((1754, 1240, 3), 255, np.uint8)
    cap = photograph(blank, random_params(54, (2000, 1500), background="dark", fill=0.85, glare=0.0), 54)
    report, _ = examine(54, image=cap.image)
    assert codes(report) == {"blank"}


def test_flat_scan_without_detection_passes():
    page = render_page(200, lines=20)
    report = assess(page)
    assert report.ok, report.metrics
    assert report.metrics["blur_px"] < 1.5
