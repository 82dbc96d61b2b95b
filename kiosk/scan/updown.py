"""Is an upright-running page upside down? Short line snippets vote through PP-OCR's
0°/180° text-line classifier (a 0.6 MB ONNX model inside the rapidocr wheel, ~5 ms a
batch); without the model, Tesseract OSD decides (slow — 1.5–3.7 s an A4 page — but right).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

SNIPPETS = 12  # line snippets the vote uses

Box = tuple[int, int, int, int]  # top, bottom, left, right


def snippet_boxes(mask: np.ndarray) -> list[Box]:
    """Where to cut short pieces of text lines (about four characters) of an upright page,
    found on its ink ``mask`` (in the mask's pixels).

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
            found.append((density, int(a), int(b), x0, width))
    boxes = []
    for _density, a, b, x0, width in sorted(found, reverse=True)[:SNIPPETS]:
        pad = round((b - a) / 5)
        boxes.append((max(0, a - pad), b + pad, x0, x0 + width))
    return boxes


@functools.lru_cache(maxsize=1)
def cls_session():
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


def p_upside_down(session, pieces: list[np.ndarray]) -> float:
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


def osd_upside_down(gray: np.ndarray) -> float:
    """Tesseract OSD's view (1.0 upside down, 0.0 upright, 0.5 unknown)."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(gray, config="--psm 0", output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError as exc:
        log.info("OSD could not decide: %s", exc)
        return 0.5
    return 1.0 if int(osd.get("rotate", 0)) == 180 else 0.0
