"""Bowed pages: the sag of the print lines is measured and straightened in orientation's one warp."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.scan import dewarp
from kiosk.scan.detect import detect_page, page_warp
from kiosk.scan.orient import _inks, orient_warp
from kiosk.scan.pipeline import page_size
from kiosk.scan.resample import shrink
from kiosk.scan.synth.camera import CameraParams, _bent, photograph, random_params
from kiosk.scan.synth.testpage import render_page

PITCH = 30  # the test page's line pitch at 100 dpi (22 pt)


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    """An A4 page whose body lines run most of the way across (two copies of the test page's
    text side by side, lines aligned), so the sag can be seen over the width."""
    base = render_page(100, lines=24)
    out = np.full_like(base, 255)
    out[60:700, 82:420] = base[60:700, 82:420]
    out[60:700, 420:758] = base[60:700, 82:420]
    return out


def _ink_of(image: np.ndarray) -> np.ndarray:
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return _inks(shrink(gray, 1000)[0])[1]


def _line_offset(image: np.ndarray, band_a: tuple[float, float], band_b: tuple[float, float]) -> float:
    """How far (pixels) the print lines in column band b lie below those in band a (shares of
    the width), by cross-correlating the two bands' row profiles of dark pixels."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    dark = (gray < 128).astype(np.float64)
    w = gray.shape[1]

    def profile(band: tuple[float, float]) -> np.ndarray:
        p = dark[:, int(band[0] * w) : int(band[1] * w)].sum(axis=1)
        return p - p.mean()

    a, b = profile(band_a), profile(band_b)
    lags = np.arange(-40, 41)
    scores = [float(np.dot(a[40:-40], b[40 + t : len(b) - 40 + t])) for t in lags]
    return float(lags[int(np.argmax(scores))])


@pytest.mark.parametrize("bow", [0.012, 0.022])
def test_measured_sag_matches_the_bend(page, bow):
    bent, _ = _bent(page, CameraParams(bow=bow))
    small = _ink_of(bent)
    found = dewarp.measure(small)
    assert found is not None
    h, w = small.shape
    x = np.arange(w)
    truth = bow * h * np.sin(np.pi * x / w)
    inked = np.nonzero(small.any(axis=0))[0]
    span = slice(inked[0], inked[-1] + 1)
    truth = truth - truth[span].mean()
    error = found.shift[span] - truth[span]
    assert np.sqrt(np.mean(error**2)) < 0.1 * bow * h  # within a tenth of the sag
    assert found.amplitude == pytest.approx(np.ptp(truth[span]), rel=0.2)


def _upright(shot) -> tuple:
    found = detect_page(shot.image)
    size = page_size(found.quad, shot.image.shape)
    hmat, pixels, smooth = page_warp(found, shot.image.shape, size)
    return orient_warp(shot.image, hmat, pixels, smooth=smooth)


def test_bowed_photograph_comes_out_with_straight_lines(page):
    bow = 0.02
    params = random_params(5, frame=(1600, 1200), bow=bow, fold_shadow=0.2, glare=0.0, rotation=0)
    shot = photograph(page, params, 5)
    turned = _upright(shot)
    assert turned.bend == pytest.approx(bow * 0.5, abs=0.5 * bow)  # lines span the middle of the sine
    out = turned.image
    pitch = PITCH * out.shape[0] / page.shape[0]  # the test page's line pitch, scaled
    # the lines at the left of the print and in the middle of the page are level now
    # (before, the middle sagged by ~0.4 of a pitch more than the left)
    assert abs(_line_offset(out, (0.1, 0.25), (0.42, 0.58))) <= 0.15 * pitch
    assert abs(_line_offset(out, (0.75, 0.9), (0.42, 0.58))) <= 0.15 * pitch


def test_flat_page_is_not_bent(page):
    assert dewarp.measure(_ink_of(page)) is None
    shot = photograph(page, random_params(5, frame=(1600, 1200), glare=0.0, rotation=0), 5)
    assert _upright(shot).bend == 0.0


@pytest.mark.parametrize("offset", [0.3, 0.5])
def test_two_columns_at_different_line_offsets_are_not_bent(offset):
    """A right column whose lines sit part of a pitch lower than the left column's is a
    layout, not a bend: one jump between the columns, no curve."""
    base = render_page(100, lines=24)
    out = np.full_like(base, 255)
    drop = round(offset * PITCH)
    out[60:700, 82:380] = base[60:700, 82:380]
    out[60 + drop : 700 + drop, 440:738] = base[60:700, 82:380]
    assert dewarp.measure(_ink_of(out)) is None


def test_remap_without_a_bend_is_the_homography(page):
    """The maps compose the page's homography with the bend: with no bend they reproduce the
    plain perspective warp (to interpolation's rounding)."""
    hmat = np.array([[0.9, 0.05, 10.0], [-0.03, 0.95, 5.0], [1e-5, 2e-5, 1.0]])
    size = (700, 990)
    plain = cv2.warpPerspective(page, hmat, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    maps = dewarp.remap_maps(np.linalg.inv(hmat), np.zeros(size[0], np.float32), size)
    mapped = cv2.remap(page, *maps, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    diff = np.abs(plain.astype(int) - mapped.astype(int))
    assert np.percentile(diff, 99) <= 8 and diff.mean() < 1.0
