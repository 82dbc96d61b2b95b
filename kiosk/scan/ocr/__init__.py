"""OCR engines behind one interface; ``get_engine(name)`` picks one by name.

RapidOCR is the default: in the issue-3 benchmark it meets every target and reads
exactly (CER 0 %, classification 100 %, stored pages read as the rectified ones); it
took ~1.2× a bare Tesseract run then, 2.6× in issue 13's runs (docs/scanning.md).
Tesseract is one flag away (``--engine tesseract``, or
``scan.engine`` in a hardware profile): ~0.5 s faster per page and ~80 MB smaller, for
small kiosks, but it misses the stored-page target by a margin within its own noise
floor (docs/scanning.md, "Which engine is the default").
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
