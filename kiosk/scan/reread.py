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

import cv2
import numpy as np

from .extract import USCC_CHARS, find_identifiers
from .ink import has_red
from .ocr.base import OcrEngine, to_gray
from .types import OcrResult, OcrWord

# parts of the labels, so one misread character (代吗 for 代码) does not hide them
LABELS = {"id_number": ("身份号", "身份证号"), "uscc": ("社会信用", "信用代码")}
ALPHABETS = {"id_number": "0123456789X", "uscc": "".join(sorted(USCC_CHARS))}


def _label_end(words: list[OcrWord], labels: tuple[str, ...]) -> int | None:
    """Index of the word that completes a label (words in reading order on one line)."""
    text = ""
    for i, word in enumerate(words):
        text += word.text.replace(" ", "")
        if any(label in text for label in labels):
            return i
    return None


def _label_split(words: list[OcrWord], end: int, labels: tuple[str, ...]) -> int:
    """Where the label ends inside ``words[end]`` (page x): an engine that boxes a whole
    text line (RapidOCR) may give "公民身份号码140581…" as one word. Estimated from the
    characters' widths (a digit is about half a Chinese character); the word's right edge
    when nothing follows the label in it."""
    before = "".join(w.text.replace(" ", "") for w in words[:end])
    text = words[end].text.replace(" ", "")
    full = before + text
    cut = max((full.find(label) + len(label) for label in labels if label in full), default=0) - len(before)
    box = words[end].box
    if not any(c.isascii() and c.isalnum() for c in text[max(0, cut) :]):
        return box[0] + box[2]
    width = [1.0 if ord(c) > 0x2E7F else 0.55 for c in text]
    return box[0] + round(box[2] * sum(width[: max(0, cut)]) / sum(width))


def line_box(ocr: OcrResult, labels: tuple[str, ...], shape: tuple[int, ...]) -> tuple[slice, slice] | None:
    """Rows and columns of the page right of the label, on the label's line; None without one.

    Its height is the label's: a seal stamped over the number makes the engine's box round
    the number tall (ring and all), the printed label beside it is not."""
    for line in sorted({w.line for w in ocr.words}):
        words = sorted((w for w in ocr.words if w.line == line), key=lambda w: w.box[0])
        end = _label_end(words, labels)
        if end is None:
            continue
        label = words[: end + 1]
        left = _label_split(words, end, labels)
        if left == words[end].box[0] + words[end].box[2]:
            while end + 1 < len(words) and not any(c.isascii() and c.isalnum() for c in words[end + 1].text):
                end += 1  # the rest of the label (…代码, a colon): the number starts at a digit
            left = words[end].box[0] + words[end].box[2]
        top = min(w.box[1] for w in label)
        bottom = max(w.box[1] + w.box[3] for w in label)
        height = bottom - top
        # sparse page modes put the number in a block of its own: any word beside the label
        beside = [w for w in ocr.words if top <= w.box[1] + w.box[3] / 2 <= bottom and w.box[0] >= left]
        # the number is ~10 heights long; past it lie other cells (and, on a form, their rules)
        right = max([w.box[0] + w.box[2] + height for w in beside] + [left + 12 * height])
        pad = max(4, height // 3)
        rows = slice(max(0, top - pad // 2), min(shape[0], bottom + pad // 2))
        cols = slice(max(0, left), min(shape[1], right + pad))
        if rows.stop > rows.start and cols.stop > cols.start:
            return rows, cols
    return None


def line_crop(image: np.ndarray, ocr: OcrResult, labels: tuple[str, ...]) -> np.ndarray | None:
    """The part of the page right of the label, on the label's line; None without one."""
    box = line_box(ocr, labels, image.shape)
    return None if box is None else image[box]


def erase_rules(gray: np.ndarray) -> np.ndarray:
    """White out table rules: vertical dark runs taller than most of the strip, and
    horizontal ones longer than twice its height (the row's own rules, caught by the pad)."""
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    tall = max(3, int(0.8 * gray.shape[0]))
    wide = max(20, 2 * gray.shape[0])
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, tall)))
    rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (wide, 1)))
    out = gray.copy()
    out[cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0] = int(np.percentile(gray, 90))  # paper
    return out


def cut_glyphs_cleared(gray: np.ndarray) -> np.ndarray:
    """White out print touching the strip's left or right end: pieces of characters the
    crop cut through (the label's last character), which read as a stray ``1`` or ``|``."""
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    _count, labels = cv2.connectedComponents(ink)
    ends = np.union1d(labels[:, 0], labels[:, -1])
    out = gray.copy()
    out[np.isin(labels, ends[ends > 0])] = int(np.percentile(gray, 90))  # paper
    return out


def number_columns(clean: np.ndarray) -> slice:
    """The columns of the first run of print in a cleaned strip, up to a blank gap wider than
    the strip is high (the next table cell's text is no part of the number)."""
    ink = cv2.threshold(clean, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    cols = np.flatnonzero(ink.sum(axis=0) >= 2 * 255)
    if not len(cols):
        return slice(0, clean.shape[1])
    gaps = np.flatnonzero(np.diff(cols) > clean.shape[0])
    end = cols[gaps[0]] if len(gaps) else cols[-1]
    pad = clean.shape[0] // 3
    return slice(max(0, cols[0] - pad), min(clean.shape[1], end + 1 + pad))


def clean_strip(crop: np.ndarray) -> np.ndarray:
    """The strip with rules and cut glyphs gone, cut to the number's own columns."""
    gray = cut_glyphs_cleared(erase_rules(to_gray(crop)))
    return gray[:, number_columns(gray)]


def plain_strip(crop: np.ndarray) -> np.ndarray:
    """The number's columns as they are, rules left in: PP-OCR reads some sealed strips
    better so (erasing rules took strokes of the ring with them)."""
    gray = to_gray(crop)
    return gray[:, number_columns(cut_glyphs_cleared(erase_rules(gray)))]


def line_image(crop: np.ndarray) -> np.ndarray:
    """The strip as Tesseract reads one line best: ``clean_strip`` with a border of paper
    half the strip's height all round (PP-OCR, which scales a line to 48 px high, reads
    the strip without: a border shrinks the print)."""
    gray = clean_strip(crop)
    pad = max(8, gray.shape[0] // 2)
    return cv2.copyMakeBorder(
        gray, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=int(np.percentile(gray, 90))
    )


def line_sources(
    reading: np.ndarray, original: np.ndarray | None, box: tuple[slice, slice]
) -> list[np.ndarray]:
    """The identifier's line as the page was read (red ink turned to paper, ``ink``) and,
    when the line itself carries red ink, its red channel: there a seal's ink is nearly
    paper and black print stays black, with none of the seams the page-wide removal leaves
    where it stops."""
    out = [to_gray(reading[box])]
    if original is not None and original.ndim == 3 and has_red(original[box]):
        out.append(np.ascontiguousarray(original[box][..., 2]))
    return out


def reread_identifiers(
    image: np.ndarray,
    ocr: OcrResult,
    fields: dict[str, str],
    engine: OcrEngine,
    dpi: float,
    original: np.ndarray | None = None,
) -> dict[str, str]:
    """Fields with any missing identifier re-read from its labelled line (a new dict).

    ``image`` is the page as it was read, ``original`` the page before red ink was taken
    out (its red channel is one more look at a sealed line). Every look that validates
    (check digit) is a candidate; the identifier is taken only when they agree on one
    value: two different valid readings of one line are a guess, not a reading."""
    out = dict(fields)
    for kind, labels in LABELS.items():
        if kind in out or not any(label in ocr.text.replace(" ", "") for label in labels):
            continue
        box = line_box(ocr, labels, image.shape)
        if box is None:
            continue
        if engine.restricts_alphabet:  # the identifier's alphabet first, then free (repairs apply)
            looks = [(line_image, ALPHABETS[kind]), (line_image, "")]
        else:
            looks = [(clean_strip, ""), (plain_strip, "")]
        found: set[str] = set()
        for source in line_sources(image, original, box):
            for shape, whitelist in looks:
                line = engine.recognize(shape(source), dpi=dpi, single_line=True, whitelist=whitelist)
                found |= {r.value for r in find_identifiers(line.text) if r.valid and r.kind == kind}
        if len(found) == 1:
            out[kind] = found.pop()
            out.pop(f"{kind}_unverified", None)
    return out
