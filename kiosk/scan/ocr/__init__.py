"""OCR engines behind one interface; ``get_engine(name)`` picks one by name.

Tesseract is the default: with its model kept loaded in-process, table-rule and guilloche
artefacts dropped and a single-line second look at missed identifiers, it meets the
issue-3 benchmark's accuracy, identifier and latency targets at ~60 % of RapidOCR's time
per page and less memory; it misses the stored-page target by a margin within its own
noise floor (docs/scanning.md, "Which engine is the default"). RapidOCR reads exactly
(CER 0 %), meets every target, and is one flag away (``--engine rapidocr``).
"""

from __future__ import annotations

from collections.abc import Callable

from .base import OcrEngine, remove_cjk_spaces

DEFAULT_ENGINE = "tesseract"


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
