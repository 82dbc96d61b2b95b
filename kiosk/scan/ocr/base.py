"""What every OCR engine promises, and text clean-up they share.

Engines differ (Tesseract wants the DPI and a page mode; RapidOCR wants neither) but the
pipeline only sees ``recognize(image, dpi=…) -> OcrResult``.
"""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from ..types import OcrResult

# CJK ideographs, CJK punctuation and full-width forms: no spaces belong between these.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")


@runtime_checkable
class OcrEngine(Protocol):
    name: str

    def recognize(self, image: np.ndarray, *, dpi: float, single_line: bool = False) -> OcrResult: ...


def remove_cjk_spaces(text: str) -> str:
    """Tesseract separates every Chinese character by a space; Chinese has none."""
    return _CJK_GAP.sub("", text)


def clean_lines(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        line = remove_cjk_spaces(" ".join(line.split()))
        if line:
            out.append(line)
    return out


def to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return image


def failed(engine: str, error: str) -> OcrResult:
    """An OCR run that produced nothing, with the reason; the caller decides what to tell."""
    return OcrResult(text="", confidence=None, engine=engine, lines=[], error=error)
