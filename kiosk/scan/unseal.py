"""An identifier's line with a red seal's ink taken out, colour by colour, for a re-read.

A seal is stamped over the print (its ink blends towards red, it does not darken like a
second layer of toner), so a black digit under a thin stroke of seal turns dark red and
one under a thick stroke turns seal-red. The page-wide removal (``ink``) and the red
channel both leave that crossing as a gap or a smear across the digit: Tesseract read
the "2" of ``140522…`` under a ring stroke as 4, or dropped it, in every look.

Here each pixel of the strip is split, relative to the paper's own colour, into how much
seal ink covers it and how dark the print beneath is (red and green: seal ink is light in
red and dark in green, print is dark in both). Where the ink is thick the print beneath is
not known, so those pixels are filled in from their surroundings (inpainting): a ring
stroke a few pixels wide across a digit is bridged by the digit's strokes on either
side. A character mostly under thick ink stays unread (its neighbours cannot restore it);
the reader's check digit guards what comes out, as for every re-read.
"""

from __future__ import annotations

import cv2
import numpy as np

PAPER_PERCENTILE = 90  # the strip's paper colour: most of a line strip is paper
FULL_INK = 99.5  # percentile of (red − green) taken as the seal's ink at full strength
MIN_INK_CONTRAST = 0.3  # (red − green) of seal ink at full strength, at least (relative)
STRONG = 0.97  # percentile of redness whose pixels give the seal's colour
THICK = 0.5  # seal coverage above which the print beneath is inpainted, not unmixed
INPAINT_RADIUS = 3


def _relative(bgr: np.ndarray) -> np.ndarray:
    """Each channel divided by the paper's level in it (a warm or cold cast cancels)."""
    px = bgr.astype(np.float32)
    paper = np.percentile(px.reshape(-1, 3), PAPER_PERCENTILE, axis=0)
    return px / np.maximum(paper, 1.0)


def seal_cover(bgr: np.ndarray) -> np.ndarray:
    """Per pixel 0..1: how much seal ink covers it, by how much redder than green it is
    against the reddest ink in the strip."""
    rel = _relative(bgr)
    diff = rel[..., 2] - rel[..., 1]
    full = max(float(np.percentile(diff, FULL_INK)), MIN_INK_CONTRAST)
    return np.clip(diff / full, 0.0, 1.0)


def print_beneath(bgr: np.ndarray) -> np.ndarray:
    """Gray 0..255: the print's darkness with the seal's ink divided out. The seal's own
    colour (red and green relative to the paper, ``kr``/``kg``) comes from its reddest
    pixels; each pixel's red and green then give the ink's share ``a`` and the print's
    transmittance ``t`` from r = t(1 − a(1 − kr)), g = t(1 − a(1 − kg))."""
    rel = np.clip(_relative(bgr), 0.01, 1.5)
    r = rel[..., 2]
    g = (rel[..., 0] + rel[..., 1]) / 2
    chroma = r - g
    strong = chroma > np.percentile(chroma, 100 * STRONG)
    if not strong.any():
        return (np.clip(r, 0, 1) * 255).astype(np.uint8)
    dr, dg = 1 - float(np.median(r[strong])), 1 - float(np.median(g[strong]))
    q = g / r
    a = np.clip((1 - q) / np.maximum(dg - q * dr, 1e-3), 0.0, 1.0)
    t = np.clip(r / (1 - a * dr), 0.0, 1.0)
    return (t * 255).astype(np.uint8)


def unsealed(bgr: np.ndarray) -> np.ndarray:
    """The strip in gray with the seal taken out: ink divided out where it is thin,
    inpainted from the surroundings where it is thick (see the module's note)."""
    thick = (seal_cover(bgr) > THICK).astype(np.uint8) * 255
    thick = cv2.dilate(thick, np.ones((3, 3), np.uint8))  # and the ink's soft edges
    gray = print_beneath(bgr)
    if not thick.any():
        return gray
    return cv2.inpaint(gray, thick, INPAINT_RADIUS, cv2.INPAINT_TELEA)
