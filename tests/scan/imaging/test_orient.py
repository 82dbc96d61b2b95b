"""Orientation (0/90/180/270) and skew recovery on rectified pages."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.scan.detect import detect_page, rectify
from kiosk.scan.orient import orient


def _turned(page: np.ndarray, rotation: int, skew_deg: float = 0.0) -> np.ndarray:
    """The page lying turned counter-clockwise by ``rotation`` (so that many degrees clockwise
    make it upright), its print skewed ``skew_deg`` counter-clockwise."""
    h, w = page.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), skew_deg, 1.0)
    skewed = cv2.warpAffine(page, m, (w, h), borderValue=(255, 255, 255))
    return np.ascontiguousarray(np.rot90(skewed, rotation // 90))


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_each_rotation_is_undone(page200, rotation):
    result = orient(_turned(page200, rotation))
    assert result.rotation == rotation
    assert result.method == "cls" and result.confidence > 0.5
    assert result.image.shape == page200.shape
    diff = np.abs(result.image.astype(int) - page200.astype(int)).mean()
    assert diff < 3  # upright again, pixel for pixel


@pytest.mark.parametrize(("rotation", "skew"), [(0, 2.5), (90, -1.7), (180, 0.8), (270, -3.4), (0, -6.0)])
def test_skew_within_a_degree(page200, rotation, skew):
    result = orient(_turned(page200, rotation, skew))
    assert result.rotation == rotation
    assert abs(result.skew_deg - skew) < 1.0
    again = orient(result.image)  # the straightened page has (almost) no skew left
    assert abs(again.skew_deg) < 0.5 and again.rotation == 0


@pytest.mark.parametrize(("seed", "rotation"), [(41, 0), (42, 90), (43, 180), (44, 270)])
def test_orientation_of_photographed_pages(snap, seed, rotation):
    """Through the camera: rectify keeps the page as it lies, orient turns it upright."""
    cap = snap(seed, rotation=rotation)
    result = orient(rectify(cap.image, detect_page(cap.image).quad))
    assert result.rotation == cap.rotation
    assert abs(result.skew_deg - cap.skew_deg) < 1.0


def test_blank_page_is_left_alone():
    blank = np.full((1169, 827), 235, np.uint8)
    result = orient(blank)
    assert (result.rotation, result.skew_deg, result.method) == (0, 0.0, "none")


def test_osd_fallback_agrees(page200):
    small = cv2.resize(page200, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    result = orient(np.ascontiguousarray(np.rot90(small, 2)), use_osd=True)
    assert result.method == "osd" and result.rotation == 180


@pytest.mark.parametrize("rotation", [0, 180])
def test_blurry_transfer_slip_is_not_turned_upside_down(rotation):
    """A blurry slip once came out upside down: the up/down vote read the first piece of
    each line, mostly lone list numbers ("1", "2") in the table's first column, at the
    capture's low contrast. Dense windows, full contrast: the print decides."""
    from kiosk.scan.synth.camera import photograph, random_params
    from kiosk.scan.synth.documents import render

    doc = render("transfer_slip", 6)
    params = random_params(
        6, (2400, 1800), rotation=rotation, blur_sigma=1.0, tilt_x=5.0, tilt_y=0.0, roll=2.0,
        shadow=0.0, glare=0.0, fill=0.75,
    )  # fmt: skip
    shot = photograph(doc.image, params, seed=6)
    result = orient(rectify(shot.image, shot.quad))
    assert result.rotation == rotation and result.method == "cls"


def test_one_warp_from_the_capture_equals_rectify_then_orient():
    """The pipeline composes page finding, quarter turns, deskew and half turn into one
    warp; the page it gets is the one two warps gave."""
    from kiosk.scan.detect import page_homography
    from kiosk.scan.orient import orient_warp
    from kiosk.scan.synth.camera import photograph, random_params
    from kiosk.scan.synth.documents import render

    doc = render("application_form", 3)
    shot = photograph(
        doc.image, random_params(8, (2000, 1500), rotation=270, blur_sigma=0.2, skew_deg=1.5), 8
    )
    hmat, size, smooth = page_homography(shot.quad, "a4")
    once = orient_warp(shot.image, hmat, size, smooth=smooth)
    twice = orient(rectify(shot.image, shot.quad, "a4"))
    assert once.rotation == twice.rotation == 270
    assert abs(once.skew_deg - twice.skew_deg) < 0.3 and abs(once.skew_deg - 1.5) < 0.5
    assert once.image.shape == twice.image.shape == (2339, 1654, 3)
    assert np.abs(once.image.astype(int) - twice.image.astype(int)).mean() < 4
