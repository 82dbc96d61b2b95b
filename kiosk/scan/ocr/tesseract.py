"""Tesseract (``chi_sim``), in-process through its C API (``tessapi``, the model stays
loaded) or through the ``tesseract`` command (pytesseract), with its known pitfalls handled:

* a camera frame carries no DPI, so Tesseract guesses badly: we pass ``--dpi``;
* on a 2-core kiosk OpenMP threads oversubscribe the CPU: ``OMP_THREAD_LIMIT=1``;
* it puts a space between Chinese characters: removed;
* a single field crop needs ``--psm 7`` (one text line);
* its global threshold loses a page half in shadow: strong light gradients are divided out;
* a hung or slow run is stopped after ``timeout`` seconds and reported as a result
  (``error == "timeout"``; a run cancelled by the caller reports ``"cancelled"``).

Language and page mode were measured on our synthetic forms (docs/scanning.md): ``chi_sim``
alone beats ``chi_sim+eng`` (the English model turns short Chinese words into Latin
gibberish such as "HBX"; ``chi_sim`` reads digits and Latin capitals well); ``--psm 4``
(one column, rows of varying size) reads ruled forms row by row, ``--psm 6`` loses whole
tables, and a card-sized page (photo, sparse fields) reads best with ``--psm 11``.
"""

from __future__ import annotations

import os
import re
import threading

import numpy as np
import pytesseract
from PIL import Image

from ..types import OcrResult, OcrWord
from . import tessapi
from .base import clean_lines, even_out_light, failed, remove_cjk_spaces, to_gray

LANG = "chi_sim"
PAGE_PSM = 4
SPARSE_PSM = 11
LINE_PSM = 7
CARD_WIDTH_IN = 4.5  # pages narrower than this (ID cards: 3.4 in) are read as sparse text

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # inherited by every tesseract child


RULE_MARKS = re.compile(r"[“”\"'‘’]*\|+[“”\"'‘’]*")
LATIN = re.compile(r"[A-Za-z]+")
LATIN_JUNK_CONF = 60


def clean_word(word: str, conf: float, checked: bool = False) -> str:
    """A word as printed, or "" when it is an artefact. Measured on 35 benchmark pages
    (median / mean CER 3.0 / 5.5 % → 1.6 / 2.8 %): Tesseract reports words it made up
    from a card's guilloche or a photo with confidence 0; it reads table rules as "|",
    often with the quote marks their ends turn into ("“|"), which Chinese forms never
    print; and short Latin "words" it is unsure of on a Chinese page (RE, Sa, wii) are
    stamps and shading. ``checked``: a whitelisted field read, whose confidence-0 words
    are kept (the caller validates them)."""
    if (conf <= 0 and not checked) or not word.strip():
        return ""
    word = RULE_MARKS.sub("", word)
    if LATIN.fullmatch(word) and conf < LATIN_JUNK_CONF:
        return ""
    return word


class TesseractEngine:
    """``recognize`` runs in-process through the C API (``tessapi``) when libtesseract
    loads, else through the ``tesseract`` command (pytesseract); both give the same text."""

    name = "tesseract"
    restricts_alphabet = True  # tessedit_char_whitelist

    def __init__(self, lang: str = LANG, psm: int = PAGE_PSM, timeout: float = 30.0, in_process: bool = True):
        self.lang = lang
        self.psm = psm
        self.timeout = timeout
        self.in_process = in_process and tessapi.available()

    def page_mode(self, image: np.ndarray, dpi: float, single_line: bool) -> int:
        if single_line:
            return LINE_PSM
        if image.shape[1] / dpi < CARD_WIDTH_IN:
            return SPARSE_PSM
        return self.psm

    def config(self, image: np.ndarray, dpi: float, single_line: bool = False) -> str:
        psm = self.page_mode(image, dpi, single_line)
        return f"--dpi {round(dpi)} --psm {psm} -c preserve_interword_spaces=0"

    def load(self) -> None:
        """Load the model now (the kiosk does this while the resident reads the first screen)."""
        if self.in_process:
            tessapi.shared_api(self.lang)

    def prepare(self, image: np.ndarray) -> np.ndarray:
        """Gray, with a strong shadow or light fall-off divided out (its global threshold
        loses a page half in shadow)."""
        return even_out_light(to_gray(image))

    def recognize(
        self,
        image: np.ndarray,
        *,
        dpi: float,
        single_line: bool = False,
        whitelist: str = "",
        cancel: threading.Event | None = None,
    ) -> OcrResult:
        """Read a page (or, ``single_line``, one field crop). ``whitelist`` limits the
        characters (for an ID number); setting ``cancel`` stops a run early."""
        gray = self.prepare(image)
        if not self.in_process:
            return self._recognize_cli(gray, dpi, single_line, whitelist)
        psm = self.page_mode(image, dpi, single_line)
        try:
            api = tessapi.shared_api(self.lang)
            found = api.words(
                gray, dpi=dpi, psm=psm, timeout=self.timeout, whitelist=whitelist, cancel=cancel
            )
        except tessapi.OcrTimeout as exc:
            return failed(self.name, str(exc))
        except OSError as exc:
            return failed(self.name, f"tesseract failed: {exc}")
        return self._result([(w.text, w.conf, w.box, w.line) for w in found], bool(whitelist))

    def _recognize_cli(self, gray: np.ndarray, dpi: float, single_line: bool, whitelist: str) -> OcrResult:
        config = self.config(gray, dpi, single_line)
        if whitelist:
            config += f" -c tessedit_char_whitelist={whitelist}"
        try:
            data = pytesseract.image_to_data(
                Image.fromarray(gray),
                lang=self.lang,
                config=config,
                output_type=pytesseract.Output.DICT,
                timeout=self.timeout,
            )
        except RuntimeError as exc:  # pytesseract signals its timeout this way
            if "timeout" in str(exc).lower():
                return failed(self.name, "timeout")
            return failed(self.name, f"tesseract failed: {exc}")
        except pytesseract.TesseractError as exc:
            return failed(self.name, f"tesseract failed: {exc.message}")
        rows = []
        for i, word in enumerate(data["text"]):
            box = (data["left"][i], data["top"][i], data["width"][i], data["height"][i])
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            rows.append((word, float(data["conf"][i]), box, key))
        return self._result(rows, bool(whitelist))

    def _result(
        self,
        rows: list[tuple[str, float, tuple[int, int, int, int], tuple[int, int, int]]],
        whitelisted: bool,
    ) -> OcrResult:
        """Words → lines by Tesseract's own (block, paragraph, line) numbering, without
        the words that are not print (``clean_word``). A whitelisted read reports
        confidence 0 for a word it had to bend into the alphabet — a licence's
        ``9214052538L5FF4PJT`` came back right, at 0, where the free read had ``PIT`` — so
        there confidence 0 is kept: the caller checks such a field (check digit)."""
        grouped: dict[tuple[int, int, int], list[tuple[str, float, tuple[int, int, int, int]]]] = {}
        for raw, conf, box, key in rows:
            word = clean_word(raw, conf, checked=whitelisted)
            if word:
                grouped.setdefault(key, []).append((word, conf, box))
        lines: list[str] = []
        words: list[OcrWord] = []
        for items in grouped.values():
            text = clean_lines([" ".join(w for w, _c, _b in items)])
            if not text:
                continue
            words += [OcrWord(remove_cjk_spaces(w), c, b, len(lines)) for w, c, b in items]
            lines.append(text[0])
        confs = [w.confidence for w in words]
        confidence = round(sum(confs) / len(confs), 1) if confs else None
        return OcrResult("\n".join(lines), confidence, self.name, lines, words=words)
