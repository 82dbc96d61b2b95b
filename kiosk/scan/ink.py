"""Red ink taken out of a page before OCR: seals (公章) stamped over the print.

A red seal over a name or an ID number is as dark as the print in a plain gray
conversion (≈80 of 255 where it is thick), so the OCR reads its ring, its star and its
strokes into the line and the identifier no longer validates. In the red channel the
seal's ink is nearly as light as the paper while black print stays black. Only where
red ink is found is the page's gray level taken from the red channel; everywhere else
the page is left as it was (blue print on an ID card is dark in the red channel too,
but other colours are not, and a plain page needs no change at all).
"""

from __future__ import annotations

import cv2
import numpy as np

REDNESS = 50  # red exceeds both green and blue by this much: red ink (or its edge)
MIN_RED = 120  # and is at least this bright in the red channel (dark red is print)
MIN_AREA = 200  # red pixels on the quarter-size copy below this are no seal
GROW = 5  # quarter-size pixels the red area is grown by (ink's soft edges)


def redness(image: np.ndarray) -> np.ndarray:
    """Per pixel: red ink (or its edge) — red above both green and blue by ``REDNESS``, and
    not dark (dark red is print)."""
    px = image.astype(np.int16)
    b, g, r = px[..., 0], px[..., 1], px[..., 2]
    return (r - np.maximum(g, b) > REDNESS) & (r >= MIN_RED)


def has_red(image: np.ndarray, share: float = 0.005) -> bool:
    """Whether a (small) colour image carries red ink on more than ``share`` of it."""
    return image.ndim == 3 and image.size > 0 and float(redness(image).mean()) > share


def red_mask(image: np.ndarray) -> np.ndarray | None:
    """Where red ink lies, on a quarter-size grid (uint8 0/1); None when there is none."""
    if image.ndim != 3:
        return None
    red = redness(image[::4, ::4]).astype(np.uint8)
    if int(red.sum()) < MIN_AREA:
        return None
    return cv2.dilate(red, np.ones((GROW, GROW), np.uint8))


def without_red(image: np.ndarray) -> np.ndarray:
    """The page with red ink turned to paper for reading: inside the red areas every
    channel takes the red channel's value, scaled so that the seal's ink comes out as the
    paper's gray and never lighter than the page was there (a copy only when there is red
    ink)."""
    mask = red_mask(image)
    if mask is None:
        return image
    h, w = image.shape[:2]
    grown = cv2.resize(mask, (mask.shape[1] * 4, mask.shape[0] * 4), interpolation=cv2.INTER_NEAREST)
    full = grown[:h, :w] > 0
    red = image[..., 2][full]
    region = image[full].astype(np.int16)
    inked = region[:, 2] - region[:, :2].max(axis=1) > REDNESS
    ink_level = float(np.percentile(red[inked], 50)) if inked.any() else 255.0  # the seal's red level
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    paper = float(np.percentile(gray[::8, ::8], 75))
    lifted = red.astype(np.float32) * (paper / max(ink_level, 1.0))  # the seal's ink → the paper's gray
    lifted = np.minimum(lifted, np.maximum(paper, gray[full]))  # no lighter than it was: no pale disc
    out = image.copy()
    out[full] = lifted.astype(np.uint8)[:, None]
    return out
