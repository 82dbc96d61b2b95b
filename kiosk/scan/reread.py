"""A second, single-line look at an identifier the page read missed.

A whole-page read of a form sees the 18-character number among table rules, labels and
stamps, and one misread character (or a rule glued to it) makes it fail its check digit.
When the page carries the label (公民身份号码, 统一社会信用代码) but no valid number of that
kind was found, the rest of the label's line is cut out (from the OCR's own word boxes),
its table rules are erased, and it is read again as one line (``--psm 7``) limited to the
identifier's alphabet. The result is accepted only when it validates (check digit), as
every repair in ``extract`` is. It costs one or two small OCR runs (~50 ms each), only
when needed.

On one benchmark licence (``9214052538L5FF4PJT``, whose J the page read took for an I)
the second look came back empty on 4 of 8 noisy copies: the whitelisted read was right,
but at confidence 0, which the engine's clean-up dropped (now kept for whitelisted reads,
``ocr.tesseract.clean_word``). Reading that strip also showed the sliver of the label's
last character at its left end coming back as a leading ``1``. So the strip is cleaned of
print cut by its ends, given a paper-coloured border (Tesseract wants one round a line),
and, when the whitelisted read gives no valid number, read once more without the
whitelist (``extract``'s guarded repairs then apply). 8 of 8 copies right now.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from .extract import USCC_CHARS, find_identifiers
from .ocr.base import to_gray
from .types import OcrResult, OcrWord

# parts of the labels, so one misread character (代吗 for 代码) does not hide them
LABELS = {"id_number": ("身份号", "身份证号"), "uscc": ("社会信用", "信用代码")}
ALPHABETS = {"id_number": "0123456789X", "uscc": "".join(sorted(USCC_CHARS))}

Reader = Callable[..., OcrResult]  # engine.recognize(image, dpi=, single_line=, whitelist=)


def _label_end(words: list[OcrWord], labels: tuple[str, ...]) -> int | None:
    """Index of the word that completes a label (words in reading order on one line)."""
    text = ""
    for i, word in enumerate(words):
        text += word.text.replace(" ", "")
        if any(label in text for label in labels):
            return i
    return None


def line_crop(image: np.ndarray, ocr: OcrResult, labels: tuple[str, ...]) -> np.ndarray | None:
    """The part of the page right of the label, on the label's line; None without one."""
    lines = sorted({w.line for w in ocr.words})
    for line in lines:
        words = sorted((w for w in ocr.words if w.line == line), key=lambda w: w.box[0])
        end = _label_end(words, labels)
        if end is None:
            continue
        while end + 1 < len(words) and not any(c.isascii() and c.isalnum() for c in words[end + 1].text):
            end += 1  # the rest of the label (…代码, a colon): the number starts at a digit
        top = min(w.box[1] for w in words)
        bottom = max(w.box[1] + w.box[3] for w in words)
        height = bottom - top
        left = words[end].box[0] + words[end].box[2]
        # sparse page modes put the number in a block of its own: any word beside the label
        beside = [w for w in ocr.words if top <= w.box[1] + w.box[3] / 2 <= bottom and w.box[0] >= left]
        right = max([w.box[0] + w.box[2] for w in beside] + [left + 14 * height])
        pad = max(4, height // 3)
        h, w = image.shape[:2]
        crop = image[max(0, top - pad) : min(h, bottom + pad), max(0, left) : min(w, right + pad)]
        if crop.size:
            return crop
    return None


def erase_rules(gray: np.ndarray) -> np.ndarray:
    """White out vertical table rules (dark runs taller than most of the strip)."""
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    tall = max(3, int(0.8 * gray.shape[0]))
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, tall)))
    out = gray.copy()
    out[cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0] = 255
    return out


def cut_glyphs_cleared(gray: np.ndarray) -> np.ndarray:
    """White out print touching the strip's left or right end: pieces of characters the
    crop cut through (the label's last character), which read as a stray ``1`` or ``|``."""
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    _count, labels = cv2.connectedComponents(ink)
    ends = np.union1d(labels[:, 0], labels[:, -1])
    out = gray.copy()
    out[np.isin(labels, ends[ends > 0])] = 255
    return out


def line_image(crop: np.ndarray) -> np.ndarray:
    """The strip as Tesseract reads one line best: rules and cut glyphs gone, and a border
    of paper half the strip's height all round."""
    gray = cut_glyphs_cleared(erase_rules(to_gray(crop)))
    pad = max(8, gray.shape[0] // 2)
    paper = int(np.percentile(gray, 90))
    return cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=paper)


def reread_identifiers(
    image: np.ndarray, ocr: OcrResult, fields: dict[str, str], read: Reader, dpi: float
) -> dict[str, str]:
    """Fields with any missing identifier re-read from its labelled line (a new dict)."""
    out = dict(fields)
    for kind, labels in LABELS.items():
        if kind in out or not any(label in ocr.text.replace(" ", "") for label in labels):
            continue
        crop = line_crop(image, ocr, labels)
        if crop is None:
            continue
        strip = line_image(crop)
        for whitelist in (ALPHABETS[kind], ""):
            line = read(strip, dpi=dpi, single_line=True, whitelist=whitelist)
            found = next((r for r in find_identifiers(line.text) if r.valid and r.kind == kind), None)
            if found is not None:
                out[kind] = found.value
                out.pop(f"{kind}_unverified", None)
                break
    return out
