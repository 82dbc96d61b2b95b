"""Where a QR code might be: finder-pattern-like marks, found cheaply, to decide whether a
page that zxing-cpp's first pass read nothing on deserves the slower second passes.

A QR finder pattern is a dark square ring around a light ring around a solid dark
square (7:5:3 modules). In a contour tree of the binarised image that is a contour whose
only child has exactly one child with no children of its own, nested about centrally, at
sizes close to 7:5:3. Chinese print rarely has that shape: 回 has a hollow inner square
(its innermost contour has a child), a seal's ring holds many characters. A candidate only
buys the second passes; it never makes a code up, so a false candidate costs time, not
correctness.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .resample import shrink

WORK_SIDE = 2400  # an A4 page at 200 dpi is 2339 px long: read at full size; a 12 MP capture is halved
MIN_SIDE_PX = 7  # a finder of 7 modules below 1 px per module is not decodable anyway
INNER = (0.25, 0.62)  # inner square / outer side; 3/7 = 0.43 on a flat code
MIDDLE = (0.5, 0.92)  # light ring / outer side; 5/7 = 0.71
SQUARE_FILL = 0.8  # contour area / its minimum-area rectangle: squares ~1, circles 0.785
# A textured desk or sensor noise binarises into tens of thousands of specks, and the
# contour tree of a 12 MP noise frame took 9 s. Counted on a half-size copy (~5 ms on an
# A4 page): noise frames gave 3 700–38 000 components, synthetic A4 pages a few hundred,
# the 56 real code photographs at most 1 700 at full size. Above this the search gives up.
MAX_COMPONENTS = 3000


@dataclass(frozen=True)
class Finder:
    """A finder-like mark: its centre and side, in the image's own pixels."""

    x: float
    y: float
    side: float


def _side(contour: np.ndarray) -> tuple[float, float, float, float]:
    (cx, cy), (w, h), _angle = cv2.minAreaRect(contour)
    return cx, cy, max(w, h), min(w, h)


def _is_finder(outer: np.ndarray, middle: np.ndarray, inner: np.ndarray) -> Finder | None:
    cx, cy, long_side, short_side = _side(outer)
    if long_side < MIN_SIDE_PX or short_side < 0.5 * long_side:
        return None
    if cv2.contourArea(outer) < SQUARE_FILL * long_side * short_side:
        return None
    ix, iy, inner_long, _ = _side(inner)
    mx, my, middle_long, _ = _side(middle)
    if not (
        INNER[0] <= inner_long / long_side <= INNER[1] and MIDDLE[0] <= middle_long / long_side <= MIDDLE[1]
    ):
        return None
    if max(abs(ix - cx), abs(iy - cy), abs(mx - cx), abs(my - cy)) > 0.15 * long_side:
        return None
    return Finder(cx, cy, long_side)


def find_finders(gray: np.ndarray) -> list[Finder]:
    """Finder-like marks in a gray image (either polarity of print is not looked for:
    light-on-dark codes are left to zxing's own inverted pass)."""
    small, scale = shrink(gray, WORK_SIDE)
    found = []
    for dark in _binarised(small):
        found += [Finder(f.x / scale, f.y / scale, f.side / scale) for f in _finders_in(dark)]
    return found


def _binarised(gray: np.ndarray) -> list[np.ndarray]:
    """Dark = 255, twice: one global (Otsu) threshold, right for print on an evenly lit
    page, and a local mean over a tenth of the image, for a code under uneven light."""
    block = max(15, (min(gray.shape) // 10) | 1)
    return [
        cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1],
        cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 2),
    ]


def _finders_in(dark: np.ndarray) -> list[Finder]:
    if _cluttered(dark):
        return []
    contours, hierarchy = cv2.findContours(dark, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    tree = hierarchy[0]  # next, previous, first child, parent
    found = []
    for i, child, inner in zip(*_nested(tree), strict=True):
        hit = _is_finder(contours[i], contours[child], contours[inner])
        if hit is not None:
            found.append(hit)
    return found


def _cluttered(dark: np.ndarray) -> bool:
    half = cv2.resize(dark, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_NEAREST)
    return cv2.connectedComponents(half, connectivity=8, ltype=cv2.CV_32S)[0] > MAX_COMPONENTS


def _nested(tree: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Contours with exactly one child (the light ring) that has exactly one child with
    none of its own (the solid inner square), as index arrays. Vectorised: a noisy desk
    gives millions of contours, and a Python loop over them took 27 s on a 12 MP frame."""
    outer = np.flatnonzero(tree[:, 2] >= 0)
    child = tree[outer, 2]
    keep = tree[child, 0] < 0
    outer, child = outer[keep], child[keep]
    inner = tree[child, 2]
    keep = inner >= 0
    outer, child, inner = outer[keep], child[keep], inner[keep]
    keep = (tree[inner, 0] < 0) & (tree[inner, 2] < 0)
    return outer[keep], child[keep], inner[keep]
