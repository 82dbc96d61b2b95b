"""RapidOCR 3.10 (PP-OCR det/cls/rec ONNX models shipped inside the wheel, no download).

The models take ~2 s to load, so one engine instance is created lazily and reused for
every page. It needs no DPI (the detector sizes text itself) and corrects 0°/180° text
lines only; 90° pages must be turned by ``orient`` first. ONNX Runtime runs in-process,
so there is no per-call timeout: a stuck call cannot be killed without killing us.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from ..types import OcrResult
from .base import clean_lines, failed

_LOCK = threading.Lock()
_ENGINE: Any = None


def shared_rapidocr() -> Any:
    """The process-wide RapidOCR instance (thread-safe lazy load)."""
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            from rapidocr import RapidOCR

            _ENGINE = RapidOCR(
                params={
                    "Global.log_level": "error",  # "no text found" is a result, not a warning
                    "EngineConfig.onnxruntime.intra_op_num_threads": 2,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                    # detector input capped at 1280 px (default: short side ≥ 736, long ≤ 2000):
                    # peak memory on an A4 page 926 → 544 MB, same CER on our pages, faster
                    "Det.limit_type": "max",
                    "Det.limit_side_len": 1280,
                    "Rec.rec_batch_num": 2,
                }
            )
        return _ENGINE


def group_rows(boxes: np.ndarray, texts: list[str]) -> list[str]:
    """Merge detected text boxes that share a row (table cells) into one line, left to right."""
    items = []
    for box, text in zip(boxes, texts, strict=True):
        ys, xs = box[:, 1], box[:, 0]
        items.append((float(ys.min()), float(ys.max()), float(xs.min()), text))
    items.sort(key=lambda it: (it[0] + it[1]) / 2)
    rows: list[list[tuple[float, float, float, str]]] = []
    for it in items:
        if rows:
            top, bottom = rows[-1][0][0], rows[-1][0][1]
            centre = (it[0] + it[1]) / 2
            if top <= centre <= bottom:
                rows[-1].append(it)
                continue
        rows.append([it])
    return [" ".join(t for *_xy, t in sorted(row, key=lambda it: it[2])) for row in rows]


class RapidOcrEngine:
    name = "rapidocr"

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
        if image.ndim == 2:
            image = np.dstack([image] * 3)
        try:
            out = shared_rapidocr()(image, use_det=not single_line, use_cls=True, use_rec=True)
        except Exception as exc:  # onnxruntime and OpenCV raise many kinds
            return failed(self.name, f"rapidocr failed: {exc}")
        texts = list(getattr(out, "txts", None) or [])
        scores = list(getattr(out, "scores", None) or [])
        if not texts:
            return OcrResult(text="", confidence=None, engine=self.name, lines=[])
        boxes = getattr(out, "boxes", None)
        raw = texts if boxes is None or single_line else group_rows(np.asarray(boxes), texts)
        lines = clean_lines(raw)
        confidence = round(100 * sum(scores) / len(scores), 1) if scores else None
        return OcrResult(text="\n".join(lines), confidence=confidence, engine=self.name, lines=lines)
