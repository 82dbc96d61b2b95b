"""Desk surfaces for the virtual photographer: what lies around the page in a capture.

Each kind stresses page detection differently: wood grain and cloth give many short edges,
clutter gives long straight edges and light rectangles that are not the page, a
similar-coloured desk leaves only a faint page border.
"""

from __future__ import annotations

import cv2
import numpy as np

KINDS = ("plain", "dark", "textured", "cluttered", "similar")


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cells: int) -> np.ndarray:
    """Low-frequency noise in [-1, 1]: random values on a coarse grid, upsampled smoothly."""
    h, w = shape
    gh = max(2, round(cells * h / max(h, w)))
    gw = max(2, round(cells * w / max(h, w)))
    coarse = rng.uniform(-1, 1, (gh, gw)).astype(np.float32)
    return cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC).clip(-1, 1)


def _tinted(shape: tuple[int, int], bgr: tuple[float, float, float], field: np.ndarray) -> np.ndarray:
    """A colour modulated by a brightness field (field 1.0 = the plain colour)."""
    img = np.empty((*shape, 3), np.float32)
    for c in range(3):
        img[..., c] = bgr[c] * field
    return img


def _wood(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    base = (rng.uniform(40, 90), rng.uniform(80, 130), rng.uniform(120, 180))  # brown, BGR
    warp = smooth_noise(rng, shape, 6) * rng.uniform(10, 30)
    y = np.arange(h, dtype=np.float32)[:, None] + warp
    period = rng.uniform(8, 25) * max(h, w) / 1000.0
    grain = 0.85 + 0.15 * np.sin(2 * np.pi * y / period) + 0.05 * smooth_noise(rng, shape, 40)
    img = _tinted(shape, base, grain)
    fine = rng.normal(0, 6, shape).astype(np.float32)
    return img + fine[..., None]


def _cloth(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    base = tuple(rng.uniform(60, 170, 3))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(4, 9) * max(h, w) / 1000.0
    weave = 0.9 + 0.06 * np.sin(2 * np.pi * xx / period) * np.sin(2 * np.pi * yy / period)
    return _tinted(shape, base, weave + 0.08 * smooth_noise(rng, shape, 12))  # type: ignore[arg-type]


def _clutter(rng: np.random.Generator, img: np.ndarray) -> None:
    """Draw objects that are not the page: pens, coloured cards, a phone, scribbled notes."""
    h, w = img.shape[:2]
    unit = max(h, w) / 1000.0
    for _ in range(int(rng.integers(5, 10))):
        kind = rng.integers(0, 4)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        angle = rng.uniform(0, 180)
        if kind == 0:  # pen
            size = (rng.uniform(120, 260) * unit, rng.uniform(6, 14) * unit)
            colour = tuple(float(v) for v in rng.uniform(0, 200, 3))
        elif kind == 1:  # coloured card or folder
            size = (rng.uniform(80, 220) * unit, rng.uniform(60, 160) * unit)
            colour = tuple(float(v) for v in rng.uniform(40, 230, 3))
        elif kind == 2:  # phone
            size = (rng.uniform(70, 90) * unit, rng.uniform(140, 170) * unit)
            colour = (20.0, 20.0, 25.0)
        else:  # a light sticky note with scribbles
            size = (rng.uniform(60, 110) * unit, rng.uniform(60, 110) * unit)
            colour = (rng.uniform(120, 200), rng.uniform(200, 240), rng.uniform(220, 250))
        box = cv2.boxPoints(((cx, cy), size, angle)).astype(np.int32)
        cv2.fillConvexPoly(img, box, colour, lineType=cv2.LINE_AA)
        if kind == 3:
            for _ in range(4):
                p1 = (int(cx + rng.uniform(-30, 30) * unit), int(cy + rng.uniform(-30, 30) * unit))
                p2 = (int(cx + rng.uniform(-30, 30) * unit), int(cy + rng.uniform(-30, 30) * unit))
                cv2.line(img, p1, p2, (80, 40, 30), max(1, round(2 * unit)), cv2.LINE_AA)


def make_background(kind: str, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A ``shape`` (h, w) BGR uint8 desk surface of the given kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown background kind {kind!r}; expected one of {KINDS}")
    if kind == "plain":
        img = _tinted(shape, tuple(rng.uniform(90, 150, 3)), 1 + 0.04 * smooth_noise(rng, shape, 5))
    elif kind == "dark":
        img = _tinted(shape, tuple(rng.uniform(15, 60, 3)), 1 + 0.1 * smooth_noise(rng, shape, 8))
    elif kind == "similar":
        # light grey or beige a little darker than paper: a white desk or a pale tablecloth
        level = rng.uniform(175, 215)
        tint = (level * rng.uniform(0.9, 1.0), level * rng.uniform(0.95, 1.0), level)
        img = _tinted(shape, tint, 1 + 0.03 * smooth_noise(rng, shape, 10))
    elif kind == "textured":
        img = _wood(rng, shape) if rng.random() < 0.6 else _cloth(rng, shape)
    else:
        img = _wood(rng, shape) if rng.random() < 0.5 else _cloth(rng, shape)
    out = img.clip(0, 255).astype(np.uint8)
    if kind == "cluttered":
        _clutter(rng, out)
    return out
