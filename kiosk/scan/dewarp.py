"""Bowed pages: how far the print lines sag, column by column, and the warp that straightens them.

A page lifted off the desk in a cylinder is rectified by its four corners, but its print
lines still sag in the middle (by up to ~1.5 line heights on the hard set), and Tesseract
then reads table rows in fragments. Prior art flattens pages from a fitted surface
(Liang et al., CVPR 2005) or from traced text lines (Bukhari et al., coupled snakes); a
bowed sheet needs less: one vertical displacement per column, ``d(x)``.

It is measured on the upright 1000-px copy orientation already works on: the page is cut
into vertical strips, each strip's row profile of ink is compared with the next inked
strip's (small shifts only, so a neighbouring line cannot be mistaken for the same one),
and a low-order polynomial is fitted to those differences, weighted by how well the
strips correlate (blank strips carry none). It is used only when the bend is real: the
fit explains the strip shifts and the sag, less any straight tilt (skew is orientation's
job), is a fair share of a line pitch. Two columns of text at different line offsets give
one jump the polynomial cannot explain, so they are left alone. ``orient.orient_warp``
composes ``d(x)`` with its homography into one remap, so the full-resolution page is
still interpolated once.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np

STRIPS = 24  # vertical strips across the print
MIN_STRIP_INK = 0.004  # share of a strip's pixels that must be ink for its profile to count
MAX_STEP = 0.4  # largest shift between neighbouring strips, in line pitches
MIN_LINK_NCC = 0.35  # correlation below this: the two strips share no lines
MIN_EXPLAINED = 0.6  # share of the strip shifts' variance the fitted curve must explain
MIN_SAG = 0.15  # smallest bend (max - min of d less its tilt) worth undoing, in line pitches …
MIN_SAG_PAGE = 0.004  # … and as a share of the page height
MAX_SLOPE = 0.15  # steeper between two strips (px per px) is no bowed sheet (3.5 % sag): a dog-ear, a seal
MAX_TILT = 0.07  # a tilt left in d steeper than 4° (bowed pages leave up to 2.7°) is no page's bend
OUTLIER_PX = 1.5  # a strip shift this far (and 3x the median) off the curve is not the page's bend
KEPT_WEIGHT = 0.7  # the curve must explain the strips holding this share of the correlation weight
GRID = 8  # the remap's maps are computed every GRID pixels and interpolated


@dataclass(frozen=True)
class Bend:
    """How the print lines of a page sag: ``shift[x]`` is how far (pixels, down positive)
    the print in column x lies below where a straight line would put it."""

    shift: np.ndarray  # one value per column of the measured image, mean 0 over the print
    amplitude: float  # max - min of shift over the print less its straight tilt: the sag, pixels
    pitch: float  # line pitch, pixels
    explained: float  # share of the strip shifts' variance the curve explains


def _line_pitch(profiles: np.ndarray) -> float | None:
    """Distance between text lines from the strips' summed autocorrelation (each strip on
    its own, so the bend does not blur it)."""
    centred = profiles - profiles.mean(axis=1, keepdims=True)
    n = profiles.shape[1]
    spectrum = np.fft.rfft(centred, 2 * n, axis=1)
    auto = np.fft.irfft((spectrum * spectrum.conj()).sum(axis=0), 2 * n)[: n // 4]
    if auto[0] <= 0:
        return None
    lo = 4
    falling = np.nonzero(np.diff(auto[lo:]) >= 0)[0]  # the central lobe ends where it stops falling
    if not len(falling):
        return None
    start = lo + int(falling[0])
    peak = start + int(np.argmax(auto[start:]))
    return float(peak) if auto[peak] > 0.1 * auto[0] and peak < len(auto) - 1 else None


def _link(a: np.ndarray, b: np.ndarray, reach: int) -> tuple[float, float]:
    """(shift, confidence): how far down ``b``'s lines lie from ``a``'s, sub-pixel, and the
    normalised correlation there (0 when the best shift is at the edge of ``reach``)."""
    n = len(a)
    a0 = a[reach : n - reach]
    a0 = (a0 - a0.mean()) / (a0.std() * len(a0) + 1e-9)
    windows = np.lib.stride_tricks.sliding_window_view(b, n - 2 * reach)  # b shifted by -reach..reach
    spread = windows.std(axis=1)
    scores = (windows - windows.mean(axis=1, keepdims=True)) @ a0 / np.maximum(spread, 1e-9)
    best = int(np.argmax(scores))
    if best in (0, len(scores) - 1):
        return 0.0, 0.0
    left, mid, right = scores[best - 1 : best + 2]
    curve = left - 2 * mid + right
    offset = 0.5 * (left - right) / curve if curve < 0 else 0.0
    return best - reach + float(offset), float(mid) if mid >= MIN_LINK_NCC else 0.0


def _basis(x: np.ndarray, degree: int) -> np.ndarray:
    return np.stack([x**k for k in range(1, degree + 1)], axis=1)


def measure(ink: np.ndarray) -> Bend | None:
    """The bend of the print in a binary ink mask of an upright page (text lines run across),
    or None when there is none worth undoing or it cannot be told."""
    h, w = ink.shape
    cols = np.nonzero(ink.any(axis=0))[0]
    if len(cols) < STRIPS * 2:
        return None
    x0, x1 = int(cols[0]), int(cols[-1]) + 1
    edges = np.linspace(x0, x1, STRIPS + 1).round().astype(int)
    dense = (ink > 0).astype(np.float32)
    profiles = np.stack([dense[:, a:b].sum(axis=1) for a, b in itertools.pairwise(edges)])
    profiles = cv2.GaussianBlur(profiles, (0, 0), sigmaX=1.5, sigmaY=0.01)
    inked = profiles.sum(axis=1) >= MIN_STRIP_INK * h * np.diff(edges)
    if inked.sum() < STRIPS // 3:
        return None
    pitch = _line_pitch(profiles[inked])
    if pitch is None:
        return None
    reach = max(2, round(MAX_STEP * pitch))
    centres = (edges[:-1] + edges[1:]) / 2
    idx = np.nonzero(inked)[0]
    pairs = [(int(i), int(j), *_link(profiles[i], profiles[j], reach)) for i, j in itertools.pairwise(idx)]
    pairs = [p for p in pairs if p[3] > 0 and abs(p[2]) <= MAX_SLOPE * (centres[p[1]] - centres[p[0]])]
    if len(pairs) < 4:
        return None
    degree = 4 if len(pairs) >= 10 else 2
    scale = (x1 - x0) / 2
    t = (centres - (x0 + x1) / 2) / scale
    basis = _basis(t, degree)
    design = np.array([basis[j] - basis[i] for i, j, _, _ in pairs])
    shifts = np.array([p[2] for p in pairs])
    weights = np.array([p[3] for p in pairs])
    keep = np.ones(len(pairs), bool)
    for _ in range(2):  # a seal's ring pairs unrelated marks: drop what the curve cannot explain
        wk = weights[keep]
        coef, *_ = np.linalg.lstsq(design[keep] * wk[:, None], shifts[keep] * wk, rcond=None)
        resid = np.abs(shifts - design @ coef)
        keep = resid <= max(OUTLIER_PX, 3 * float(np.median(resid[keep])))
    if weights[keep].sum() < KEPT_WEIGHT * weights.sum():
        return None
    w2 = weights[keep] ** 2
    total = float(np.sum(w2 * shifts[keep] ** 2))
    explained = 1 - float(np.sum(w2 * resid[keep] ** 2)) / total if total > 0 else 0.0
    span = np.clip((np.arange(w) - (x0 + x1) / 2) / scale, -1, 1)  # flat beyond the print
    shift = _basis(span, degree) @ coef
    inside = shift[x0:x1]
    shift = shift - inside.mean()
    # a straight tilt is skew, which orientation has removed: only the curve is a bend (a
    # large tilt left means the strips followed something else, e.g. the desk's edge)
    tilt, _ = np.polyfit(np.arange(x0, x1), inside, 1)
    amplitude = float(np.ptp(inside - tilt * np.arange(x0, x1)))
    if (
        explained < MIN_EXPLAINED
        or abs(tilt) > MAX_TILT
        or amplitude < max(MIN_SAG * pitch, MIN_SAG_PAGE * h)
    ):
        return None
    return Bend(shift.astype(np.float32), amplitude, pitch, explained)


def remap_maps(
    inverse: np.ndarray, shift: np.ndarray, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Maps for ``cv2.remap``: output pixel (u, v) of a ``size`` (width, height) page takes the
    source pixel that ``inverse`` (output → source homography) sends (u, v + shift[u]) to.

    Computed every GRID pixels and interpolated (both the homography and a bend are smooth):
    a full-resolution A4 page costs far less than mapping every pixel in numpy."""
    w, h = size
    nx, ny = -(-w // GRID) + 2, -(-h // GRID) + 2
    # sample j sits at GRID*(j-1) + (GRID-1)/2, so that cv2.resize by GRID lands on whole pixels
    us = GRID * (np.arange(nx) - 1) + (GRID - 1) / 2
    vs = GRID * (np.arange(ny) - 1) + (GRID - 1) / 2
    d = np.interp(us, np.arange(w), shift)
    uu, vv = np.meshgrid(us, vs)
    pts = np.stack([uu, vv + d[None, :], np.ones_like(uu)], axis=-1) @ inverse.T
    coarse = (pts[..., :2] / pts[..., 2:]).astype(np.float32)
    fine = cv2.resize(coarse, (nx * GRID, ny * GRID), interpolation=cv2.INTER_LINEAR)
    # fixed-point maps (x and y interleaved, as remap reads them): cheaper to remap with
    return cv2.convertMaps(fine[GRID : GRID + h, GRID : GRID + w], None, cv2.CV_16SC2)
