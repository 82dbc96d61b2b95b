"""The detector's working copy and gradient are computed by table look-up and channel-by-
channel sums for speed; they must be bit for bit what the plain float arithmetic gives, or
every score, fitted side and quad downstream would move."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.scan import workcopy


def _lab(seed: int) -> np.ndarray:
    """A Lab working copy as ``workcopy.prepare`` makes it, from a random colour picture."""
    bgr = np.random.default_rng(seed).integers(0, 256, (120, 160, 3), dtype=np.uint8)
    return workcopy.prepare(bgr)[0]


def test_lab_copy_is_the_float_arithmetic():
    bgr = np.random.default_rng(1).integers(0, 256, (90, 130, 3), dtype=np.uint8)
    lab, _, scale = workcopy.prepare(bgr)
    assert scale == 1.0
    k = max(3, round(130 / 90)) | 1
    closed = cv2.medianBlur(
        cv2.morphologyEx(bgr, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))), 5
    )
    plain = cv2.cvtColor(closed, cv2.COLOR_BGR2Lab).astype(np.float32)
    plain[..., 1:] = (plain[..., 1:] - 128) * 2.0
    assert lab.dtype == np.float32
    assert np.array_equal(lab, plain)


def test_gradient_is_the_plain_sum_over_channels():
    for seed in range(3):
        lab = _lab(seed)
        gx = cv2.Sobel(lab, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(lab, cv2.CV_32F, 0, 1, ksize=3)
        plain = np.sqrt((gx * gx + gy * gy).sum(axis=2))
        assert np.array_equal(workcopy.gradient(lab), plain)


def test_gradient_leaves_the_copy_alone():
    lab = _lab(4)
    before = lab.copy()
    workcopy.gradient(lab)
    assert np.array_equal(lab, before)


def test_lab_table_covers_every_byte():
    """Every Lab byte in every channel maps as the float arithmetic does (a random picture
    reaches only part of the chroma range)."""
    every = np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, axis=2)
    plain = every.astype(np.float32)
    plain[..., 1:] = (plain[..., 1:] - 128) * 2.0
    assert np.array_equal(cv2.LUT(every, workcopy.LAB_TABLE), plain)
