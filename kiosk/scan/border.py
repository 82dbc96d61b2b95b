"""Desk left along the edges of a rectified page, painted over as paper.

A page quad that is a little loose (IoU 0.95 still allows a strip of 1–2 % of the page)
leaves a dark wedge of desk along an edge of the flat page. Tesseract binarises with one
global (Otsu) threshold, and a large near-black region drags that threshold down until
light grey print falls on the paper side: on one benchmark household register the whole
table vanished (CER 94 %), with only the bold title left. Print never touches the edge of
a document (every form has margins), so dark regions that touch the edge and stay within
a narrow band along it are desk, and are given the paper's colour.
"""

from __future__ import annotations

import cv2
import numpy as np

BAND = 0.05  # a desk region must lie within this share of the page from its edge
DARK = 0.6  # darker than this share of the paper level is not paper
SCALE = 4  # the analysis runs on a quarter-size copy


def _small(page: np.ndarray) -> np.ndarray:
    h, w = page.shape[:2]
    return cv2.resize(page, (max(1, w // SCALE), max(1, h // SCALE)), interpolation=cv2.INTER_AREA)


def desk_mask(small_gray: np.ndarray) -> np.ndarray:
    """Mask (255) of dark regions in the band along the edge that touch the edge."""
    sh, sw = small_gray.shape
    paper = float(np.percentile(small_gray, 75))
    bx, by = max(2, round(BAND * sw)), max(2, round(BAND * sh))
    band = np.ones_like(small_gray, dtype=bool)
    band[by:-by, bx:-bx] = False
    dark = ((small_gray < DARK * paper) & band).astype(np.uint8)
    # desk is a solid region; a frame or table rule printed near the edge is a thin line
    # (a pixel or two here) and is left alone
    dark = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    _count, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    x, y, w, h = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    touches = (x == 0) | (y == 0) | (x + w == sw) | (y + h == sh)
    touches[0] = False  # the background label
    return np.where(touches[labels], 255, 0).astype(np.uint8)


def clear_desk(page: np.ndarray) -> np.ndarray:
    """The page with desk strips along its edges painted in the paper's colour (a copy only
    when there is something to paint)."""
    small = _small(page)
    gray = small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    desk = desk_mask(gray)
    if not desk.any():
        return page
    colour = np.round(np.percentile(small[::4, ::4][desk[::4, ::4] == 0], 75, axis=0)).astype(np.uint8)
    grown = cv2.dilate(desk, np.ones((3, 3), np.uint8))
    out = page.copy()
    sh, sw = desk.shape
    for ys, xs in _band_slices(sh, sw):  # the mask is empty outside the band: paint only there
        part = cv2.resize(grown[ys, xs], None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_NEAREST) > 0
        y0, x0 = ys.start * SCALE, xs.start * SCALE
        region = out[y0 : y0 + part.shape[0], x0 : x0 + part.shape[1]]
        region[part[: region.shape[0], : region.shape[1]]] = colour
    return out


def _band_slices(sh: int, sw: int) -> list[tuple[slice, slice]]:
    bx, by = max(2, round(BAND * sw)) + 1, max(2, round(BAND * sh)) + 1  # +1: the dilation
    return [(slice(0, by), slice(0, sw)), (slice(sh - by, sh), slice(0, sw)),
            (slice(by, sh - by), slice(0, bx)), (slice(by, sh - by), slice(sw - bx, sw))]  # fmt: skip
