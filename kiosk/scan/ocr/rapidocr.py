"""RapidOCR 3.10 (PP-OCR det/rec ONNX models shipped inside the wheel, no download).

The models take ~2 s to load, so one engine instance is created lazily and reused for
every page. The DPI only sizes the detector's input (below). Its own 0°/180° line
classifier is not run: ``orient`` turns every page upright first, and on 12 benchmark
pages the classifier only turned good lines over (CER mean 0.13 % with it, 0 % without)
for ~30 ms a page. ONNX Runtime runs in-process, so there is no per-call timeout: a stuck
call cannot be killed without killing us.

Time goes to the text detector (about two thirds of a page's OCR) and it grows with the
pixels it sees, so it sees only the print area: the page's blank margins are cut off
first, at the same detector scale as for the whole page (``print_area``: a third less
detector time on 35 benchmark pages, same text). The detector needs ~110 dpi whatever the
page (what the limits below give A4): an ID card rectified at 300 dpi was detected at its
full size, the reason cards took twice a bare Tesseract run; now 0.37 of it. The
recogniser still reads the text lines from the page at full resolution. CER on the 35
benchmark pages that pass the gate: 0.00 % before and after.
"""

from __future__ import annotations

import threading
from typing import Any

import cv2
import numpy as np

from ..types import OcrResult, OcrWord
from .base import clean_lines, failed, paper_background, remove_cjk_spaces, to_gray

_LOCK = threading.Lock()
_CALL = threading.Lock()  # the detector's size limit is set per call on the shared instance
_ENGINE: Any = None
_QUIET: list[Any] = []  # the models whose sessions were replaced

# RapidOCR first shrinks a page to ≤ 2000 px (``Global.max_side_len``), then the detector
# input to ≤ 1280 px: peak memory on an A4 page 926 → 544 MB against the default 2000,
# same CER on our pages, faster. Both are applied here to the whole page, so a cropped
# print area is read at exactly the scale the whole page would be.
MAX_SIDE = 2000
DET_SIDE = 1280
DET_DPI = 110  # what the two limits give an A4 page at 200 dpi (1280 / 2339 × 200 ≈ 109)
INK = 0.8  # darker than this share of the paper level is print
EDGE_BAND = 0.015  # desk left along the page's edges (print never reaches them) is ignored
MARGIN = 10  # quarter-size pixels (~5 mm on A4 at 200 dpi) kept round the print
THREADS = 2  # ONNX Runtime intra-op threads: the kiosk's two cores


def shared_rapidocr(detector: bool = True) -> Any:
    """The process-wide RapidOCR instance (thread-safe lazy load), its recogniser and (unless
    ``detector=False``: one text line needs none) its detector loaded, their ONNX Runtime
    threads not spinning (``quiet_session``). Tesseract's identifier re-read borrows the
    recogniser alone (``reread``): ~85 MB, not the detector's ~20 MB more."""
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            from rapidocr import RapidOCR

            _ENGINE = RapidOCR(
                params={
                    "Global.log_level": "error",  # "no text found" is a result, not a warning
                    "Global.max_side_len": MAX_SIDE,
                    "EngineConfig.onnxruntime.intra_op_num_threads": THREADS,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                    "Det.limit_type": "max",
                    "Det.limit_side_len": DET_SIDE,
                    "Rec.rec_batch_num": 2,
                }
            )
        models = [_ENGINE._load_rec_model()] + ([_ENGINE._load_det_model()] if detector else [])
        for model in models:
            if model not in _QUIET:
                model.session.session = quiet_session(model.session.session)
                _QUIET.append(model)
        return _ENGINE


def quiet_session(session: Any) -> Any:
    """The same model in a session whose intra-op threads sleep between operators instead
    of spinning. Spinning keeps a core busy for nothing on a 2-core kiosk where the quality
    gate, the code reader and compression run beside the OCR (and other processes share
    the box): page OCR on 8 benchmark pages, alternating with the spinning session under a
    loaded machine, took 0.64× the time (paired median; 137 s against 212 s in all)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    opts.enable_cpu_mem_arena = False  # as RapidOCR sets it: the arena kept page-sized buffers
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = THREADS
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(session._model_path, sess_options=opts, providers=["CPUExecutionProvider"])


def print_area(gray: np.ndarray) -> tuple[slice, slice]:
    """Rows and columns holding the print, with a margin (the whole page when it has none).

    Ink is what is clearly darker than the paper round it (``paper_background``, on a
    quarter-size copy, ~15 ms); a narrow band along the edges is ignored, where a loose
    page quad leaves strips of desk.
    """
    bg = paper_background(gray, full_size=False)
    bh, bw = bg.shape
    small = cv2.resize(gray, (bw, bh), interpolation=cv2.INTER_AREA)
    ink = (small < INK * bg.astype(np.float32)).astype(np.uint8)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # lone noise specks
    by, bx = max(1, round(EDGE_BAND * bh)), max(1, round(EDGE_BAND * bw))
    ink[:by], ink[bh - by :], ink[:, :bx], ink[:, bw - bx :] = 0, 0, 0, 0
    ys, xs = np.nonzero(ink)
    if not len(ys):
        return slice(0, gray.shape[0]), slice(0, gray.shape[1])
    sy, sx = gray.shape[0] / bh, gray.shape[1] / bw
    return (
        slice(int(max(0, ys.min() - MARGIN) * sy), int(min(bh, ys.max() + 1 + MARGIN) * sy)),
        slice(int(max(0, xs.min() - MARGIN) * sx), int(min(bw, xs.max() + 1 + MARGIN) * sx)),
    )


def group_rows(boxes: np.ndarray, texts: list[str]) -> list[list[int]]:
    """Detected text boxes that share a row (table cells), as rows of box indices, top to
    bottom and left to right in each row."""
    items = []
    for i, box in enumerate(boxes[: len(texts)]):
        ys, xs = box[:, 1], box[:, 0]
        items.append((float(ys.min()), float(ys.max()), float(xs.min()), i))
    items.sort(key=lambda it: (it[0] + it[1]) / 2)
    rows: list[list[tuple[float, float, float, int]]] = []
    for it in items:
        if rows:
            top, bottom = rows[-1][0][0], rows[-1][0][1]
            centre = (it[0] + it[1]) / 2
            if top <= centre <= bottom:
                rows[-1].append(it)
                continue
        rows.append([it])
    return [[i for *_xy, i in sorted(row, key=lambda it: it[2])] for row in rows]


def page_words(
    boxes: np.ndarray, texts: list[str], scores: list[float], offset: tuple[int, int], scale: float
) -> tuple[list[str], list[OcrWord]]:
    """Lines (row by row) and one word per detected box, its box in the page's pixels:
    ``offset`` is where the detector's image starts in the (resized) page, ``scale`` that
    resize. The field re-read (``reread``) cuts an identifier's line out by these boxes."""
    lines: list[str] = []
    words: list[OcrWord] = []
    for row in group_rows(boxes, texts):
        cleaned = [(i, t) for i in row if (t := remove_cjk_spaces(" ".join(texts[i].split())))]
        if not cleaned:
            continue
        for i, text in cleaned:
            xs, ys = boxes[i][:, 0] + offset[1], boxes[i][:, 1] + offset[0]
            x0, y0 = int(xs.min() / scale), int(ys.min() / scale)
            box = (x0, y0, int(np.ceil(xs.max() / scale)) - x0, int(np.ceil(ys.max() / scale)) - y0)
            words.append(OcrWord(text, round(100 * float(scores[i]), 1), box, len(lines)))
        lines += clean_lines([" ".join(t for _i, t in cleaned)])  # no spaces between Chinese cells
    return lines, words


class RapidOcrEngine:
    name = "rapidocr"
    restricts_alphabet = False  # PP-OCR has no alphabet switch

    def prepare(self, image: np.ndarray) -> np.ndarray:
        """The page as this engine reads it (and the pipeline stores): the gray page,
        untouched. Dividing out uneven light, as Tesseract needs, made PP-OCR drop whole
        lines on 2 of 26 benchmark pages (CER 0 → 15.8 and 6.2 %)."""
        return to_gray(image)

    def recognize(
        self,
        image: np.ndarray,
        *,
        dpi: float,
        single_line: bool = False,
        whitelist: str = "",
        cancel: threading.Event | None = None,
    ) -> OcrResult:
        """``whitelist`` is not supported (PP-OCR has no alphabet switch) and ``cancel`` is
        only checked before the run starts: ONNX Runtime cannot be interrupted."""
        if cancel is not None and cancel.is_set():
            return failed(self.name, "cancelled")
        try:
            out, offset, scale = self._run(self.prepare(image), dpi, single_line)
        except Exception as exc:  # onnxruntime and OpenCV raise many kinds
            return failed(self.name, f"rapidocr failed: {exc}")
        texts = list(getattr(out, "txts", None) or [])
        scores = list(getattr(out, "scores", None) or [])
        if not texts:
            return OcrResult(text="", confidence=None, engine=self.name, lines=[])
        boxes = getattr(out, "boxes", None)
        confidence = round(100 * sum(scores) / len(scores), 1) if scores else None
        if boxes is None or single_line:
            lines = clean_lines(texts)
            return OcrResult(text="\n".join(lines), confidence=confidence, engine=self.name, lines=lines)
        lines, words = page_words(np.asarray(boxes), texts, scores, offset, scale)
        return OcrResult("\n".join(lines), confidence, self.name, lines, words=words)

    @staticmethod
    def _run(gray: np.ndarray, dpi: float, single_line: bool) -> tuple[Any, tuple[int, int], float]:
        """RapidOCR's output, where its image starts in the page (rows, columns) after the
        page was resized by the returned scale."""
        rapid = shared_rapidocr(detector=not single_line)
        if single_line:
            return rapid(np.dstack([gray] * 3), use_det=False, use_cls=False, use_rec=True), (0, 0), 1.0
        scale = resized = min(1.0, MAX_SIDE / max(gray.shape))
        if scale < 1.0:  # as RapidOCR would, before cropping: the same pixels reach the recogniser
            h, w = (max(32, round(int(n * scale) / 32) * 32) for n in gray.shape)
            resized = w / gray.shape[1]
            gray = cv2.resize(gray, (w, h))
        rows, cols = print_area(gray)
        crop = gray[rows, cols]
        # the detector's own resize (never up), and no finer than DET_DPI
        det_scale = min(1.0, DET_SIDE / max(gray.shape), DET_DPI / (dpi * scale))
        side = max(32, round(det_scale * max(crop.shape)))
        with _CALL:
            # RapidOCR 3.10 has no per-call detector size: set it on its (loaded) detector
            rapid._load_det_model().limit_side_len = side
            out = rapid(np.dstack([crop] * 3), use_det=True, use_cls=False, use_rec=True)
        return out, (rows.start, cols.start), resized
