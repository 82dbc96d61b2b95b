"""What every OCR engine promises, and text clean-up they share.

Engines differ (Tesseract wants the DPI and a page mode; RapidOCR wants neither) but the
pipeline only sees ``recognize(image, dpi=…) -> OcrResult``.
"""

from __future__ import annotations

import re
import threading
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
    restricts_alphabet: bool  # whether ``recognize`` honours ``whitelist``

    def prepare(self, image: np.ndarray) -> np.ndarray:
        """The page exactly as this engine reads it (gray; lighting corrected if the engine
        needs it): what the pipeline stores, so the archive holds what was read."""
        ...

    def recognize(
        self,
        image: np.ndarray,
        *,
        dpi: float,
        single_line: bool = False,
        whitelist: str = "",
        cancel: threading.Event | None = None,
    ) -> OcrResult:
        """``whitelist``: the only characters a field crop may contain (an engine that cannot
        restrict its alphabet may ignore it); ``cancel`` set: stop early, ``error="cancelled"``."""
        ...


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


UNEVEN_LIGHT = 1.15  # paper brightness spread (95th/5th percentile) above which we even it out


def paper_background(gray: np.ndarray, full_size: bool = True) -> np.ndarray:
    """The paper's brightness without the print: max-filter then median on a ¼-size copy
    (returned at that size unless ``full_size``)."""
    h, w = gray.shape
    small = cv2.resize(gray, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    bg = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    bg = cv2.medianBlur(bg, 21)
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR) if full_size else bg


def even_out_light(gray: np.ndarray) -> np.ndarray:
    """Divide out a shadow or light gradient when there is a strong one.

    Tesseract binarises with one global (Otsu) threshold, so a page half in shadow loses
    the shadowed half entirely (CER 65% → 3% on such captures). On evenly lit pages the
    division only adds noise, so it runs only when the paper's brightness varies a lot
    (judged on the ¼-size background: a full-size one is only built when it is needed).
    """
    bg = paper_background(gray, full_size=False)
    lo, hi = np.percentile(bg, [5, 95])
    if hi / max(lo, 1.0) < UNEVEN_LIGHT:
        return gray
    full = cv2.resize(bg, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, np.maximum(full, 1), scale=255)


def failed(engine: str, error: str) -> OcrResult:
    """An OCR run that produced nothing, with the reason; the caller decides what to tell."""
    return OcrResult(text="", confidence=None, engine=engine, lines=[], error=error)
