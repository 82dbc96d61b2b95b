"""Page detection on generated captures: IoU with the true quad, across desks and angles."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.scan.detect import detect_page, page_pixels, rectify
from kiosk.scan.geometry import quad_iou, rect_corners

CASES = [  # (seed, overrides): every desk, steep angles, a dog-ear, shadows
    (21, {"background": "plain"}),
    (22, {"background": "dark", "tilt_x": 21.0, "tilt_y": -20.0}),
    (23, {"background": "textured"}),
    (24, {"background": "cluttered"}),
    (25, {"background": "cluttered", "tilt_x": -25.0, "roll": 10.0}),
    (26, {"background": "similar"}),
    (27, {"background": "similar", "shadow": 0.5, "light_gradient": 0.4}),
    (28, {"background": "textured", "folded_corner": 2}),
    (29, {"background": "similar", "folded_corner": 1, "blur_sigma": 1.5, "noise_sigma": 8.0}),
]


@pytest.mark.parametrize(("seed", "overrides"), CASES)
def test_quad_found(snap, seed, overrides):
    cap = snap(seed, **overrides)
    found = detect_page(cap.image)
    assert found.method in ("edges", "paper")
    assert quad_iou(found.quad, cap.quad) >= 0.95
    assert not found.touches


def test_page_filling_the_frame_gives_the_frame(snap):
    cap = snap(30, fills_frame=True, roll=2.0, tilt_x=5.0, tilt_y=-3.0)
    found = detect_page(cap.image)
    assert found.fills_frame
    assert quad_iou(found.quad, rect_corners(1200, 900)) >= 0.95


def test_empty_desk_gives_no_page():
    rng = np.random.default_rng(0)
    desk = rng.integers(60, 90, (600, 800, 3), dtype=np.uint8)
    assert detect_page(desk).method == "none"


def test_page_partly_out_of_frame_touches_the_border(snap):
    cap = snap(31, background="dark", fill=0.8)
    shift = int(cap.quad[:, 0].min()) + 60  # slide the page 60 px past the left border
    moved = np.roll(cap.image, -shift, axis=1)
    moved[:, -shift:] = cap.image[:, :1].mean(axis=0, keepdims=True).astype(np.uint8)
    found = detect_page(moved)
    assert "left" in found.touches and not found.fills_frame


def test_gray_capture_and_quad_maps_back_to_full_resolution(snap):
    cap = snap(21, frame=(2400, 1800), background="plain")
    found = detect_page(cap.image[:, :, 1])
    assert quad_iou(found.quad, cap.quad) >= 0.95
    assert found.quad.max() > 1000  # capture pixels, not the working copy's


def test_rectify_sizes(snap):
    cap = snap(21, background="plain", rotation=0)
    page = rectify(cap.image, detect_page(cap.image).quad)
    assert page.shape[:2] == (2339, 1654)
    assert page_pixels("a4") == (1654, 2339)
    card_w, card_h = page_pixels("id_card")
    assert (card_w, card_h) == (638, 1011)  # portrait-first; 85.6 × 54 mm at 300 dpi
    lying = snap(22, background="dark", rotation=90)
    assert rectify(lying.image, detect_page(lying.image).quad).shape[:2] == (1654, 2339)
    card = rectify(cap.image, detect_page(cap.image).quad, page="id_card")
    assert card.shape[:2] == (1011, 638)


def test_rectified_page_is_flat(page100, snap):
    """Where the page's table rule is straight and the margins are white after rectifying."""
    cap = snap(25, background="cluttered", tilt_x=-25.0, roll=10.0, rotation=0, skew_deg=0.0)
    page = rectify(cap.image, detect_page(cap.image).quad, dpi=100)
    assert page.shape[:2] == page100.shape[:2]
    gray = page.mean(axis=2)
    assert gray[20:60, 20:-20].min() > 120  # top margin: paper all along, no desk
    bottom_rule = np.abs(np.arange(page.shape[0]) - (page.shape[0] - page.shape[1] // 10))
    rows = np.where(bottom_rule < 25)[0]
    dark = gray[rows][:, 150:-150] < gray[rows].mean() - 30
    assert dark.any(axis=0).mean() > 0.95  # the table's bottom rule is found along its length
