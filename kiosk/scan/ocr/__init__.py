"""OCR engines behind one interface; ``get_engine(name)`` picks one by name.

RapidOCR is the default: on the issue-3 benchmark (BENCHMARKS.md, docs/scanning.md) it
read every ID number and credit code exactly where Tesseract got 80%, at about 1.5–2× the
time per page. Tesseract stays available (``--engine tesseract``) for slower hardware.
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
