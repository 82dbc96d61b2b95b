"""A red official seal (公章) stamped over a rendered page, with ground truth of what it hides.

A seal is a red ring, a line of text running round its top inside the ring, a five-pointed
star in the middle and a short line below the star. Stamp ink is uneven: its opacity
varies smoothly over the seal and it is thin in places. Where it is thick it hides the
print under it (alpha blend towards the ink's colour, not a multiply): black toner under
a heavy stamp turns red.

"Legible" is defined on the generator's truth, never on what was read: an identifier is
legible when no one of its characters has more than ``MAX_HIDDEN`` of its glyph pixels
under ink at full opacity (≥ ``FULL_OPACITY``).
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .render import BOLD, Sheet, font, mm

FULL_OPACITY = 0.9
MAX_HIDDEN = 0.3  # a character with more of its glyph under full-opacity ink is not legible
RING_TEXTS = ("泽州县便民服务中心", "晋城市市场监督管理局", "泽州县人力资源和社会保障局", "晋城市公安局")


@dataclass
class SealTruth:
    centre: tuple[int, int]
    radius: int
    hidden: dict[str, float]  # identifier field → the largest share of one character's glyph hidden

    def legible(self, key: str) -> bool:
        return self.hidden.get(key, 0.0) <= MAX_HIDDEN


def seal_ink(radius: int, ring_text: str, rng: random.Random) -> np.ndarray:
    """The seal's shape as ink coverage 0..1 in a (2r+1)² square."""
    size = 2 * radius + 1
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    ring = max(3, radius // 22)
    draw.ellipse([ring // 2, ring // 2, size - ring // 2 - 1, size - ring // 2 - 1], outline=255, width=ring)
    draw.regular_polygon((radius, radius, radius // 4), 5, rotation=rng.uniform(-3, 3), fill=255)
    px = max(10, round(radius * 0.27))
    f = font(BOLD, px)
    span = math.radians(230)  # the ring text runs over the top, clockwise
    n = len(ring_text)
    for i, ch in enumerate(ring_text):
        angle = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
        glyph = Image.new("L", (px * 2, px * 2), 0)
        ImageDraw.Draw(glyph).text((px, px), ch, font=f, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BILINEAR)
        r = radius - ring - px * 0.75
        cx, cy = radius + r * math.cos(angle), radius + r * math.sin(angle)
        img.paste(255, (round(cx - px), round(cy - px)), glyph)
    label = rng.choice(("业务专用章", "", "受理专用章"))
    if label:
        small = font(BOLD, round(px * 0.8))
        draw.text((radius, radius + radius * 0.55), label, font=small, fill=255, anchor="mm")
    return np.asarray(img, np.float32) / 255


def opacity_field(shape: tuple[int, int], rng: random.Random) -> np.ndarray:
    """Uneven stamp ink: a smooth field around a base level, with thin spots."""
    h, w = shape
    gen = np.random.default_rng(rng.randrange(1 << 30))
    coarse = gen.normal(0, 1, (6, 6)).astype(np.float32)
    field = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    base = rng.uniform(0.6, 0.95)
    speck = cv2.GaussianBlur(gen.random((h, w)).astype(np.float32), (0, 0), 1.5)
    return np.clip(base + 0.25 * field - 0.6 * (speck < 0.45), 0.0, 1.0)


def stamp(
    page: np.ndarray, sheet: Sheet, over: list[str], rng: random.Random, identifiers: dict[str, str]
) -> SealTruth | None:
    """Stamp a seal centred near the strings ``over`` (the name and ID lines) of a BGR page,
    in place. Returns its truth, or None when none of those strings is on the page."""
    boxes = [b for s in over if (b := sheet.box_of(s)) is not None]
    if not boxes:
        return None
    x0, y0, x1, y1 = boxes[0]  # the identifier's line; the seal reaches up towards the name's
    radius = mm(rng.uniform(19, 21))
    cx = round(rng.uniform(x0 + radius / 3, max(x0 + radius / 3, x1 - radius / 3)))
    cy = round((y0 + y1) / 2 + rng.uniform(-0.5, 0.15) * radius)
    ink = seal_ink(radius, rng.choice(RING_TEXTS), rng)
    alpha = ink * opacity_field(ink.shape, rng)
    colour = np.array([rng.uniform(20, 60), rng.uniform(20, 50), rng.uniform(190, 225)], np.float32)  # BGR
    h, w = page.shape[:2]
    top, left = cy - radius, cx - radius
    ys = slice(max(0, top), min(h, top + alpha.shape[0]))
    xs = slice(max(0, left), min(w, left + alpha.shape[1]))
    a = alpha[ys.start - top : ys.stop - top, xs.start - left : xs.stop - left]
    full = np.zeros((h, w), np.float32)
    full[ys, xs] = a
    hidden = {key: _hidden_share(page, sheet.box_of(value), full) for key, value in identifiers.items()}
    region = page[ys, xs].astype(np.float32)
    page[ys, xs] = (region * (1 - a[..., None]) + colour * a[..., None]).round().astype(np.uint8)
    return SealTruth((cx, cy), radius, {k: v for k, v in hidden.items() if v is not None})


def _hidden_share(page: np.ndarray, box: tuple[int, int, int, int] | None, alpha: np.ndarray) -> float | None:
    """The largest share of one character's glyph pixels under full-opacity ink. The
    identifier's characters are digits (and X), which every face draws at one width, so its
    box is cut into 18 equal slices."""
    if box is None:
        return None
    x0, y0, x1, y1 = box
    glyph = cv2.cvtColor(page[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY) < 128
    covered = glyph & (alpha[y0:y1, x0:x1] >= FULL_OPACITY)
    edges = np.linspace(0, x1 - x0, 19).round().astype(int)
    shares = [covered[:, a:b].sum() / max(1, glyph[:, a:b].sum()) for a, b in itertools.pairwise(edges)]
    return float(max(shares))
