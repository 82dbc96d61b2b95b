"""Tesseract (``chi_sim+eng``) through pytesseract, with its known pitfalls handled:

* a camera frame carries no DPI, so Tesseract guesses badly: we pass ``--dpi``;
* on a 2-core kiosk OpenMP threads oversubscribe the CPU: ``OMP_THREAD_LIMIT=1``;
* it puts a space between Chinese characters: removed;
* a single field crop needs ``--psm 7`` (one text line);
* its global threshold loses a page half in shadow: strong light gradients are divided out;
* a hung or slow run is stopped after ``timeout`` seconds and reported as a result.

Language and page mode were measured on our synthetic forms (docs/scanning.md): ``chi_sim``
alone beats ``chi_sim+eng`` (the English model turns short Chinese words into Latin
gibberish such as "HBX"; ``chi_sim`` reads digits and Latin capitals well); ``--psm 4``
(one column, rows of varying size) reads ruled forms row by row, ``--psm 6`` loses whole
tables, and a card-sized page (photo, sparse fields) reads best with ``--psm 11``.
"""

from __future__ import annotations

import os

import numpy as np
import pytesseract
from PIL import Image

from ..types import OcrResult
from .base import clean_lines, even_out_light, failed, to_gray

LANG = "chi_sim"
PAGE_PSM = 4
SPARSE_PSM = 11
LINE_PSM = 7
CARD_WIDTH_IN = 4.5  # pages narrower than this (ID cards: 3.4 in) are read as sparse text

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # inherited by every tesseract child


class TesseractEngine:
    name = "tesseract"

    def __init__(self, lang: str = LANG, psm: int = PAGE_PSM, timeout: float = 30.0):
        self.lang = lang
        self.psm = psm
        self.timeout = timeout

    def page_mode(self, image: np.ndarray, dpi: float, single_line: bool) -> int:
        if single_line:
            return LINE_PSM
        if image.shape[1] / dpi < CARD_WIDTH_IN:
            return SPARSE_PSM
        return self.psm

    def config(self, image: np.ndarray, dpi: float, single_line: bool = False) -> str:
        psm = self.page_mode(image, dpi, single_line)
        return f"--dpi {round(dpi)} --psm {psm} -c preserve_interword_spaces=0"

    def recognize(self, image: np.ndarray, *, dpi: float, single_line: bool = False) -> OcrResult:
        pil = Image.fromarray(even_out_light(to_gray(image)))
        try:
            data = pytesseract.image_to_data(
                pil,
                lang=self.lang,
                config=self.config(image, dpi, single_line),
                output_type=pytesseract.Output.DICT,
                timeout=self.timeout,
            )
        except RuntimeError as exc:  # pytesseract signals its timeout this way
            if "timeout" in str(exc).lower():
                return failed(self.name, "timeout")
            return failed(self.name, f"tesseract failed: {exc}")
        except pytesseract.TesseractError as exc:
            return failed(self.name, f"tesseract failed: {exc.message}")
        return self._result(data)

    def _result(self, data: dict) -> OcrResult:
        """Words → lines by Tesseract's own (block, paragraph, line) numbering."""
        lines: dict[tuple[int, int, int], list[str]] = {}
        confs: list[float] = []
        for i, word in enumerate(data["text"]):
            conf = float(data["conf"][i])
            if not word.strip() or conf < 0:
                continue
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            lines.setdefault(key, []).append(word)
            confs.append(conf)
        text_lines = clean_lines([" ".join(words) for words in lines.values()])
        confidence = round(sum(confs) / len(confs), 1) if confs else None
        return OcrResult(
            text="\n".join(text_lines), confidence=confidence, engine=self.name, lines=text_lines
        )
