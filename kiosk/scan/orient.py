"""Orientation and deskew of a rectified page: turn it upright, straighten its text lines.

Measured here (see docs/scanning.md): Tesseract OSD gets Chinese pages right but takes
1.5–3.7 s per A4 page on this 2-core box, longer than the OCR itself. So orientation is
split in two cheap questions:

* Which way do the text lines run, and how skewed are they? A projection profile of the
  dark pixels is sharpest when it runs along the lines: it is searched over ±10° around
  0° and around 90° (tens of ms on a 1000-px copy).
* Is the page upside down? Line snippets go through PP-OCR's text-direction classifier
  (a 0.6 MB ONNX model inside the rapidocr wheel, ~2 ms a snippet); the snippets vote.
  Without the model, Tesseract OSD decides instead (slow but right).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .resample import shrink

log = logging.getLogger(__name__)

WORK_SIZE = 1000  # long side of the copy the analysis runs on
MAX_SKEW = 10.0  # degrees searched each side of a direction
MIN_INK = 300  # fewer dark pixels than this: no text to orient by
SNIPPETS = 12  # line snippets the up/down vote uses


@dataclass
class Orientation:
    image: np.ndarray  # the page, upright and deskewed
    rotation: int  # clockwise degrees applied: 0, 90, 180, 270
    skew_deg: float  # counter-clockwise skew of the text that was removed
    confidence: float  # 0..1 for the up/down decision (0.5 = a guess)
    method: str  # "cls", "osd" or "none" (no text found)


def _ink(gray: np.ndarray) -> np.ndarray:
    """Dark print as a binary mask, robust to uneven light (local threshold)."""
    block = max(15, (max(gray.shape) // 40) | 1)
    mask = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    m = max(2, round(0.03 * min(gray.shape)))  # margins hold leftovers of the desk, not text
    mask[:m], mask[-m:], mask[:, :m], mask[:, -m:] = 0, 0, 0, 0
    # table rules, frames and desk edges run in long straight lines too, and would outvote
    # the text about which way it runs: find ink runs longer than any character (after a
    # little thickening, so slightly skewed rules still qualify) and take them out
    run = max(15, round(0.05 * max(gray.shape)))
    rules = np.zeros_like(mask)
    for thick, long in (((1, 5), (run, 1)), ((5, 1), (1, run))):
        grown = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, thick))
        rules |= cv2.morphologyEx(grown, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, long))
    mask[cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0] = 0
    return mask


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


def _snippets(page: np.ndarray, mask: np.ndarray, scale: float) -> list[np.ndarray]:
    """Short pieces of text lines (about four characters) of an upright page: found on the
    small ``mask``, cut from the full-resolution ``page`` so the classifier sees sharp print.

    Each line gives its densest window, and the densest lines are taken: the first piece
    of a line is often a list number or a lone digit ("1", "2" in a table's first column),
    which reads the same either way up and once outvoted the text on a blurry slip.
    """
    rows = mask.sum(axis=1) > 0.02 * 255 * mask.shape[1]
    edges = np.flatnonzero(np.diff(np.r_[0, rows.astype(np.int8), 0]))
    runs = list(zip(edges[::2], edges[1::2], strict=True))
    if not runs:
        return []
    typical = float(np.median([b - a for a, b in runs]))
    found = []
    for a, b in runs:
        if not (0.6 * typical <= b - a <= 1.8 * typical and b - a >= 5):
            continue
        width = 4 * (b - a)
        ink = np.r_[0, np.cumsum(mask[a:b].sum(axis=0, dtype=np.int64))]
        windows = ink[width:] - ink[:-width] if len(ink) > width else ink[-1:]
        x0 = int(windows.argmax())
        density = float(windows[x0]) / (255 * width * (b - a))
        if density > 0.05:  # enough print, not a gap
            found.append((density, a, b, x0, width))
    out = []
    for _density, a, b, x0, width in sorted(found, reverse=True)[:SNIPPETS]:
        pad = (b - a) / 5
        top, bottom = round((a - pad) / scale), round((b + pad) / scale)
        out.append(page[max(0, top) : bottom, round(x0 / scale) : round((x0 + width) / scale)])
    return out


@functools.lru_cache(maxsize=1)
def _cls_session():
    """PP-OCR's 0°/180° text-line classifier, from the rapidocr wheel; None if absent."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        return None
    model = (
        Path(next(iter(spec.submodule_search_locations))) / "models" / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"
    )
    if not model.exists():
        return None
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1  # the kiosk has two cores; OCR runs beside this
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])


def _upside_down_cls(session, pieces: list[np.ndarray]) -> float:
    """Mean probability, over snippets, that the text is upside down."""
    batch = np.zeros((len(pieces), 3, 48, 192), np.float32)
    for i, piece in enumerate(pieces):
        h, w = piece.shape[:2]
        rw = min(192, int(np.ceil(48 * w / h)))
        line = cv2.resize(piece, (rw, 48), interpolation=cv2.INTER_AREA)
        lo, hi = np.percentile(line, [1, 99])  # dim or washed-out print: full contrast, as trained
        line = cv2.convertScaleAbs(line, alpha=255 / max(hi - lo, 1), beta=-lo * 255 / max(hi - lo, 1))
        rgb = cv2.cvtColor(line, cv2.COLOR_GRAY2RGB if line.ndim == 2 else cv2.COLOR_BGR2RGB)
        batch[i, :, :, :rw] = rgb.transpose(2, 0, 1) / 127.5 - 1.0
    probs = session.run(None, {session.get_inputs()[0].name: batch})[0]
    return float(np.mean(probs[:, 1]))


def _upside_down_osd(gray: np.ndarray) -> float:
    """Tesseract OSD's view (1.0 upside down, 0.0 upright, 0.5 unknown)."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(gray, config="--psm 0", output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError as exc:
        log.info("OSD could not decide: %s", exc)
        return 0.5
    return 1.0 if int(osd.get("rotate", 0)) == 180 else 0.0


def _rotate(image: np.ndarray, clockwise: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(image, codes[clockwise]) if clockwise in codes else image


def _deskew(image: np.ndarray, skew_deg: float) -> np.ndarray:
    if abs(skew_deg) < 0.05:
        return image
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -skew_deg, 1.0)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def orient(image: np.ndarray, use_osd: bool = False) -> Orientation:
    """Turn a rectified page (BGR or gray) upright and remove its skew."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small, scale = shrink(gray, WORK_SIZE)
    mask = _ink(small)
    xs, ys = _points(mask)
    if len(xs) < MIN_INK:
        return Orientation(image, 0, 0.0, 0.5, "none")
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 0.5, 1.0)
    best = []
    for px, py in ((xs, ys), (ys, small.shape[1] - 1 - xs)):  # as it is, and turned 90°
        angle = float(coarse[int(_profile_energy(px, py, coarse).argmax())])
        best.append((_gaps(px, py, angle), angle, px, py))
    turn = 90 if best[1][0] > best[0][0] else 0
    _, angle, px, py = best[turn // 90]
    skew = _best_angle(px, py, angle, 1.0)
    out = _deskew(_rotate(image, turn), skew)
    small = _deskew(_rotate(small, turn), skew)  # turned the same way, to find lines on
    pieces = _snippets(out, _ink(small), scale)
    session = None if use_osd else _cls_session()
    if session is not None and pieces:
        p_down, method = _upside_down_cls(session, pieces), "cls"
    else:
        p_down, method = _upside_down_osd(out), "osd"  # full resolution: OSD needs sharp print
    if p_down > 0.5:
        turn += 180
        out = _rotate(out, 180)
    return Orientation(out, turn, skew, abs(p_down - 0.5) * 2, method)
