"""Orientation and deskew: turn a page upright and straighten its text lines, with one
warp from the capture.

Measured here (see docs/scanning.md): Tesseract OSD gets Chinese pages right but takes
1.5–3.7 s per A4 page on this 2-core box, longer than the OCR itself. So orientation is
split in two cheap questions, both answered on a 1000-px copy of the page:

* Which way do the text lines run, and how skewed are they? A projection profile of the
  dark pixels is sharpest when it runs along the lines: it is searched over ±10° around
  0° and around 90° (tens of ms).
* Is the page upside down? Line snippets, warped straight from the capture at full
  resolution, vote through PP-OCR's text-direction classifier (``updown``).

The page-finding homography, the quarter turns, the deskew and the half turn are then
composed into one matrix, and the full-resolution page is warped once: warping the
rectified page again to deskew it and turning it cost ~60 ms an A4 page more. When the
print lines of a bowed page still sag (``dewarp``), the sag joins that matrix in one remap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from . import dewarp, updown
from .resample import shrink

WORK_SIZE = 1000  # long side of the copy the analysis runs on
MAX_SKEW = 10.0  # degrees searched each side of a direction
MIN_INK = 300  # fewer dark pixels than this: no text to orient by


@dataclass
class Orientation:
    image: np.ndarray  # the page, upright and deskewed
    rotation: int  # clockwise degrees applied: 0, 90, 180, 270
    skew_deg: float  # counter-clockwise skew of the text that was removed
    confidence: float  # 0..1 for the up/down decision (0.5 = a guess)
    method: str  # "cls", "osd" or "none" (no text found)
    warp_ms: float = 0.0  # the full-resolution warp's share of the time
    bend: float = 0.0  # sag of the print lines that was straightened, share of the page height
    bend_ms: float = 0.0  # measuring the sag (and building the remap when there is one)


def _marks(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dark print as a binary mask, robust to uneven light (local threshold), and the long
    rules in it: those running across and those running down."""
    block = max(15, (max(gray.shape) // 40) | 1)
    mask = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    m = max(2, round(0.03 * min(gray.shape)))  # margins hold leftovers of the desk, not text
    mask[:m], mask[-m:], mask[:, :m], mask[:, -m:] = 0, 0, 0, 0
    # table rules, frames and desk edges run in long straight lines too, and would outvote
    # the text about which way it runs: find ink runs longer than any character (after a
    # little thickening, so slightly skewed rules still qualify) and take them out
    run = max(15, round(0.05 * max(gray.shape)))
    across, down = (
        cv2.morphologyEx(
            cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, thick)),
            cv2.MORPH_OPEN,
            cv2.getStructuringElement(cv2.MORPH_RECT, long),
        )
        for thick, long in (((1, 5), (run, 1)), ((5, 1), (1, run)))
    )
    return mask, across, down


def _without(mask: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """``mask`` with ``rules`` (and a pixel round them) taken out, in place."""
    mask[cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0] = 0
    return mask


def _ink(gray: np.ndarray) -> np.ndarray:
    """Dark print without long rules."""
    mask, across, down = _marks(gray)
    return _without(mask, across | down)


def _inks(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_ink``, and the print keeping the rules that run across (a bowed table's rules sag
    with its print, and show the sag best)."""
    mask, across, down = _marks(gray)
    lines = _without(mask.copy(), down)
    return _without(mask, across | down), lines


def _profile_energy(xs: np.ndarray, ys: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """For each angle (degrees, counter-clockwise), how concentrated the ink is along lines."""
    out = np.empty(len(angles))
    for i, a in enumerate(np.radians(angles)):
        proj = ys * np.cos(a) + xs * np.sin(a)
        hist = np.bincount((proj - proj.min()).astype(np.int64))
        out[i] = float(np.dot(hist, hist))
    return out / (len(xs) ** 2)


def _gaps(xs: np.ndarray, ys: np.ndarray, angle: float) -> float:
    """Share of the ink's span, projected across lines at ``angle``, that is blank.

    Along the lines there are blank gaps between them; across them, characters of
    different widths and lines of different lengths leave almost none. (Profile energy
    cannot tell the two apart: Chinese characters also stack into columns.)
    """
    a = np.radians(angle)
    proj = ys * np.cos(a) + xs * np.sin(a)
    hist = np.bincount((proj - proj.min()).astype(np.int64))
    lo, hi = np.searchsorted(np.cumsum(hist), [0.01 * len(xs), 0.99 * len(xs)])
    span = hist[lo : hi + 1]
    return float(np.mean(span < 0.05 * span.mean())) if len(span) else 0.0


def _best_angle(xs: np.ndarray, ys: np.ndarray, centre: float = 0.0, span: float = MAX_SKEW) -> float:
    """Skew (degrees, CCW) whose profile is sharpest: 1° steps, then 0.2°, then 0.05°."""
    for step in (1.0, 0.2, 0.05):
        angles = np.arange(centre - span, centre + span + step / 2, step)
        centre = float(angles[int(_profile_energy(xs, ys, angles).argmax())])
        span = step
    return centre


def _points(mask: np.ndarray, limit: int = 60_000) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.nonzero(mask)
    if len(xs) > limit:  # an even subsample keeps the profile shape and bounds the cost
        step = len(xs) // limit + 1
        ys, xs = ys[::step], xs[::step]
    return xs.astype(np.float64), ys.astype(np.float64)


def _lines(small: np.ndarray) -> tuple[int, float] | None:
    """(quarter turn, skew) that make the text lines of a small gray page run across, or
    None when there is too little print to tell."""
    xs, ys = _points(_ink(small))
    if len(xs) < MIN_INK:
        return None
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 0.5, 1.0)
    best = []
    for px, py in ((xs, ys), (ys, small.shape[1] - 1 - xs)):  # as it is, and turned 90°
        angle = float(coarse[int(_profile_energy(px, py, coarse).argmax())])
        best.append((_gaps(px, py, angle), angle, px, py))
    turn = 90 if best[1][0] > best[0][0] else 0
    _, angle, px, py = best[turn // 90]
    return turn, _best_angle(px, py, angle, 1.0)


def turn_matrix(clockwise: int, w: int, h: int) -> np.ndarray:
    """The pixel mapping of ``cv2.rotate`` by ``clockwise`` degrees of a w×h image."""
    return {
        0: np.eye(3),
        90: np.array([[0.0, -1, h - 1], [1, 0, 0], [0, 0, 1]]),
        180: np.array([[-1.0, 0, w - 1], [0, -1, h - 1], [0, 0, 1]]),
        270: np.array([[0.0, 1, 0], [-1, 0, w - 1], [0, 0, 1]]),
    }[clockwise % 360]


def _deskew_matrix(skew_deg: float, w: int, h: int) -> np.ndarray:
    if abs(skew_deg) < 0.05:
        return np.eye(3)
    return np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), -skew_deg, 1.0), [0, 0, 1]])


def _scaling(s: float) -> np.ndarray:
    return np.diag([s, s, 1.0])


def _warp(src: np.ndarray, m: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return cv2.warpPerspective(src, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _small_copy(gray: np.ndarray, hmat: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, float]:
    """The page (as ``hmat`` maps it) at WORK_SIZE: the source is first reduced by a whole
    factor (fast area resampling, no aliasing), then warped."""
    pw, ph = size
    s = min(1.0, WORK_SIZE / max(pw, ph))
    corners = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]]).reshape(-1, 1, 2)
    quad = cv2.perspectiveTransform(corners, np.linalg.inv(hmat)).reshape(-1, 2)
    long_side = max(np.linalg.norm(quad - np.roll(quad, 1, axis=0), axis=1))
    k = max(1, int(long_side / WORK_SIZE))
    reduced, _ = shrink(gray, max(gray.shape[:2]) // k) if k > 1 else (gray, 1.0)
    back = _scaling(gray.shape[1] / reduced.shape[1])  # reduced pixels → source pixels
    return _warp(reduced, _scaling(s) @ hmat @ back, (round(pw * s), round(ph * s))), s


def _in_capture(src_shape: tuple[int, ...], matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Where a page of ``size`` that ``matrix`` maps out of a capture of ``src_shape`` shows the
    capture (255), less a few pixels: beyond the frame's edge the warp repeats its last
    pixels, and that edge draws a long straight stroke that is no print."""
    h, w = src_shape[:2]
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]]).reshape(-1, 1, 2)
    quad = cv2.perspectiveTransform(corners, matrix).reshape(-1, 2)
    mask = np.zeros((size[1], size[0]), np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad).astype(np.int32), 255)
    return cv2.erode(mask, np.ones((9, 9), np.uint8))


def orient_warp(
    src: np.ndarray,
    hmat: np.ndarray,
    size: tuple[int, int],
    *,
    smooth: float = 0.0,
    use_osd: bool = False,
    straighten: bool = True,
) -> Orientation:
    """The page that ``hmat`` maps out of ``src`` (to ``size`` = width, height, as the page
    lies in the capture) upright and deskewed, in one warp. ``smooth``: Gaussian sigma
    applied to the source first when the warp reduces it strongly (against aliasing).
    ``straighten``: undo a bowed page's sag (``dewarp``) in the same warp."""
    gray = src if src.ndim == 2 else cv2.cvtColor(src, cv2.COLOR_BGR2GRAY)
    small, s = _small_copy(gray, hmat, size)
    found = _lines(small)
    turn, skew = found if found is not None else (0, 0.0)
    pw, ph = size
    out_w, out_h = (ph, pw) if turn == 90 else (pw, ph)
    m = _deskew_matrix(skew, out_w, out_h) @ turn_matrix(turn, pw, ph)
    p_down, method = 0.5, "none"
    sw, sh = round(out_w * s), round(out_h * s)
    ink_up = lines_up = None  # the upright small page's print: for the up/down snippets, for the bend
    if found is not None:
        ink_up, lines_up = _inks(_warp(small, _scaling(s) @ m @ _scaling(1 / s), (sw, sh)))
    if ink_up is not None and not use_osd and updown.cls_session() is not None:
        pieces = [
            _warp(gray, np.array([[1.0, 0, -left / s], [0, 1, -top / s], [0, 0, 1]]) @ m @ hmat,
                  (max(1, round((right - left) / s)), max(1, round((bottom - top) / s))))
            for top, bottom, left, right in updown.snippet_boxes(ink_up)
        ]  # fmt: skip
        if pieces:
            p_down, method = updown.p_upside_down(updown.cls_session(), pieces), "cls"
    if p_down > 0.5:
        turn += 180
        m = turn_matrix(180, out_w, out_h) @ m
        lines_up = lines_up[::-1, ::-1] if lines_up is not None else None  # the same half turn
    started = time.perf_counter()
    bend = None
    if straighten and lines_up is not None:
        lines_up[_in_capture(src.shape, _scaling(s) @ m @ hmat, (sw, sh)) == 0] = 0
        bend = dewarp.measure(lines_up)
    maps = None
    if bend is not None:  # straighten the lines in the same single interpolation
        shift = np.interp(np.arange(out_w) * s, np.arange(sw), bend.shift) / s
        maps = dewarp.remap_maps(np.linalg.inv(m @ hmat), shift, (out_w, out_h))
    bend_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    source = cv2.GaussianBlur(src, (0, 0), smooth) if smooth > 0 else src
    if maps is None:
        out = _warp(source, m @ hmat, (out_w, out_h))
    else:
        out = cv2.remap(source, *maps, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    warp_ms = (time.perf_counter() - started) * 1000
    if found is not None and method == "none":  # no classifier (or no snippets): ask OSD
        method = "osd"
        p_down = updown.osd_upside_down(out)  # full resolution: OSD needs sharp print
        if p_down > 0.5:
            turn += 180
            out = cv2.rotate(out, cv2.ROTATE_180)
    sag = bend.amplitude / sh if bend is not None else 0.0
    return Orientation(out, turn, skew, abs(p_down - 0.5) * 2, method, warp_ms, sag, bend_ms)


def orient(image: np.ndarray, use_osd: bool = False) -> Orientation:
    """Turn a rectified page (BGR or gray) upright and remove its skew."""
    h, w = image.shape[:2]
    return orient_warp(image, np.eye(3), (w, h), use_osd=use_osd)
