"""OCR engines behind one interface; ``get_engine(name)`` picks one by name.

RapidOCR (PP-OCR) is the default: on the scan benchmarks it reads exactly (CER 0 %,
classification 100 %, every legible identifier of the hard sets) within the latency
target (BENCHMARKS.md). Tesseract is one flag away (``--engine tesseract``, or
``scan.engine`` in a hardware profile): lighter on one core and ~120 MB smaller, for
small kiosks, but it reads less well (CER 1–5 %), and for an identifier's line that its
own looks cannot agree on it borrows PP-OCR's recogniser (``reread.second_reading``)
(docs/scanning.md, "Which engine is the default").
"""

from __future__ import annotations

from collections.abc import Callable

from .base import OcrEngine, remove_cjk_spaces

DEFAULT_ENGINE = "rapidocr"


def _tesseract() -> OcrEngine:
    from .tesseract import TesseractEngine

    return TesseractEngine()


def _rapidocr() -> OcrEngine:
    from .rapidocr import RapidOcrEngine

    return RapidOcrEngine()


ENGINES: dict[str, Callable[[], OcrEngine]] = {"tesseract": _tesseract, "rapidocr": _rapidocr}


def get_engine(name: str | None = None) -> OcrEngine:
    """An engine by name (default ``DEFAULT_ENGINE``); ``ValueError`` names the choices."""
    key = name or DEFAULT_ENGINE
    if key not in ENGINES:
        raise ValueError(f"unknown OCR engine {key!r}; choose one of {', '.join(sorted(ENGINES))}")
    return ENGINES[key]()


__all__ = ["DEFAULT_ENGINE", "ENGINES", "OcrEngine", "get_engine", "remove_cjk_spaces"]
