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

When Tesseract's looks at a line agree on nothing, PP-OCR's recogniser reads the line's
strips once more (``second_reading``; its ~85 MB model loads on the first such page): a
ring stroke across a digit that every Tesseract look misreads, it reads. Its looks answer
to the same strict rule, so the check digit still guards what they give.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np

from .combine import agreed
from .extract import USCC_CHARS, find_identifiers
from .ink import has_red
from .ocr import get_engine
from .ocr.base import OcrEngine, to_gray
from .types import OcrResult, OcrWord
from .unseal import unsealed

# parts of the labels, so one misread character (代吗 for 代码) does not hide them
LABELS = {"id_number": ("身份号", "身份证号"), "uscc": ("社会信用", "信用代码")}
LABEL_CHARS = set("公民身份证号码统一社会信用代码:：")
ALPHABETS = {"id_number": "0123456789X", "uscc": "".join(sorted(USCC_CHARS))}
UNSEALED_SCALES = (1, 2)
NUMBER_HEIGHTS = 12  # how far right of its label a number may run (label heights; see line_box)
NUMBER_HEIGHTS_TESSERACT = 20
# when an engine's own looks at an identifier's line agree on nothing, the engine whose
# recogniser reads the line once more (``second_reading``)
SECOND_READER = {"tesseract": "rapidocr"}


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


def _label_rest(text: str) -> bool:
    """Whether a word is the rest of a label (码, 代码, a colon), not what follows it.

    Anything else beside the label is where the number lies, whatever it was read as: a
    seal over the number came back as one word "人" (or "/") spanning it, and skipping
    every word without a digit put the strip past the number, on blank paper."""
    text = text.replace(" ", "")
    return bool(text) and all(c in LABEL_CHARS for c in text)


def line_box(
    ocr: OcrResult, labels: tuple[str, ...], shape: tuple[int, ...], heights: int = NUMBER_HEIGHTS
) -> tuple[slice, slice] | None:
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
            while end + 1 < len(words) and _label_rest(words[end + 1].text):
                end += 1  # the rest of the label (…代码, a colon): the number starts after it
            left = words[end].box[0] + words[end].box[2]
        top = min(w.box[1] for w in label)
        bottom = max(w.box[1] + w.box[3] for w in label)
        height = bottom - top
        # sparse page modes put the number in a block of its own: any word beside the label
        beside = [w for w in ocr.words if top <= w.box[1] + w.box[3] / 2 <= bottom and w.box[0] >= left]
        # the number is ~10 heights long; past it lie other cells (and, on a form, their rules).
        # Tesseract's strip is 20 long: in a ruled form the number's cell may start well
        # right of the label's end, and a bowed form's last digit, cut by a 12-height strip,
        # was cleared as a cut glyph. RapidOCR's stays 12: wider, it read a piece of the
        # seal's ring after a sealed number as a 19th character (and 12 lost it nothing)
        right = max([w.box[0] + w.box[2] + height for w in beside] + [left + heights * height])
        pad = max(4, height // 3)
        # half the label's height above and below: on a bowed page the number sags or rises
        # beside its label (a strip of the label's height cut the digits' tops off); the
        # print of the rows above and below is dropped again in ``clean_strip``
        rows = slice(max(0, top - height // 2), min(shape[0], bottom + height // 2))
        cols = slice(max(0, left), min(shape[1], right + pad))
        if rows.stop > rows.start and cols.stop > cols.start:
            return rows, cols
    return None


def line_crop(image: np.ndarray, ocr: OcrResult, labels: tuple[str, ...]) -> np.ndarray | None:
    """The part of the page right of the label, on the label's line; None without one."""
    box = line_box(ocr, labels, image.shape)
    return None if box is None else image[box]


def _ink(gray: np.ndarray) -> np.ndarray:
    return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]


def _paper(gray: np.ndarray) -> int:
    return int(np.percentile(gray, 90))


def _core(height: int) -> tuple[int, int]:
    """The rows of a strip the label's line itself takes: its middle half (``line_box``
    adds half the label's height above and below)."""
    return height // 4, height - height // 4


def _runs(ink: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Ink in straight runs at least ``size`` (width, height) long."""
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, size))


def _thin(ink: np.ndarray, across: tuple[int, int]) -> np.ndarray:
    """Ink that is thinner than ``across`` (width, height) across the run looked for."""
    return ink & ~_runs(ink, across)


def erase_rules(gray: np.ndarray) -> np.ndarray:
    """White out table rules: thin vertical dark runs taller than the line, and thin
    horizontal ones longer than the strip is high (the row's own rules). Only thin ones:
    blurred digits run together into a blob as long as the number, which a plain
    horizontal opening took for a rule and erased, and on a seal's red channel the faint
    ring and digits merge into blobs a plain vertical opening cut through the digits (a
    sealed, blurry application form)."""
    ink = _ink(gray)
    low, high = _core(gray.shape[0])
    tall = max(3, round(1.05 * (high - low)))
    wide = max(20, gray.shape[0])
    thick = max(6, gray.shape[0] // 4)  # a blurred rule is ~10 px thick, a blurred number ~30
    rules = _runs(_thin(ink, (thick, 1)), (1, tall)) | _runs(_thin(ink, (1, thick)), (wide, 1))
    out = gray.copy()
    out[cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0] = _paper(gray)
    return out


def line_rows(clean: np.ndarray) -> slice:
    """The rows of the number's print, with a little paper round it: the band of rows round
    the strip's busiest middle row (the label's line) that keeps at least a fifth of its
    ink. The print of the rows above and below, and a seal's ring and its text, run across
    far fewer columns than a line of 18 characters."""
    ink = _ink(clean) > 0
    low, high = _core(clean.shape[0])
    counts = ink.sum(axis=1)
    peak = low + int(np.argmax(counts[low:high]))
    if counts[peak] < 2:
        return slice(low, high)
    band = counts >= max(2, counts[peak] // 5)
    top, bottom = peak, peak
    while top > 0 and band[top - 1]:
        top -= 1
    while bottom + 1 < len(band) and band[bottom + 1]:
        bottom += 1
    pad = max(3, (high - low) // 6)
    return slice(max(0, top - pad), min(clean.shape[0], bottom + 1 + pad))


def cut_glyphs_cleared(gray: np.ndarray) -> np.ndarray:
    """White out print touching the strip's left or right end: pieces of characters the
    crop cut through (the label's last character), which read as a stray ``1`` or ``|``.
    Only pieces narrower than a character: on a seal's red channel the faint ring joins
    the digits into one component that reaches the ends, and it took the number with it."""
    _count, labels, stats, _centroids = cv2.connectedComponentsWithStats(_ink(gray))
    low, high = _core(gray.shape[0])
    ends = np.union1d(labels[:, 0], labels[:, -1])
    cut = [i for i in ends if i > 0 and stats[i, cv2.CC_STAT_WIDTH] <= high - low]
    out = gray.copy()
    out[np.isin(labels, cut)] = _paper(gray)
    return out


def number_columns(clean: np.ndarray) -> slice:
    """The columns of the first run of print in a cleaned strip, up to a blank gap wider than
    the strip is high (the next table cell's text is no part of the number)."""
    cols = np.flatnonzero(_ink(clean).sum(axis=0) >= 2 * 255)
    if not len(cols):
        return slice(0, clean.shape[1])
    gaps = np.flatnonzero(np.diff(cols) > clean.shape[0])
    end = cols[gaps[0]] if len(gaps) else cols[-1]
    pad = clean.shape[0] // 3
    return slice(max(0, cols[0] - pad), min(clean.shape[1], end + 1 + pad))


def even_paper(gray: np.ndarray) -> np.ndarray:
    """The strip divided by its paper's brightness (a max filter wider than a stroke): a
    fold's shadow across the number is a dark vertical band that the global threshold
    took for a table rule, and erased with the digit under it (a bowed ID card)."""
    low, high = _core(gray.shape[0])
    size = max(5, (high - low) // 2) | 1
    paper = cv2.blur(cv2.dilate(gray, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))), (size, size))
    return cv2.divide(gray, np.maximum(paper, 1), scale=255)


def _strip_box(gray: np.ndarray, even: bool = True) -> tuple[np.ndarray, tuple[slice, slice]]:
    """The strip cleaned of (uneven light,) rules and cut glyphs, and the number's rows and
    columns in it."""
    clean = cut_glyphs_cleared(erase_rules(even_paper(gray) if even else gray))
    rows = line_rows(clean)
    return clean, (rows, number_columns(clean[rows]))


def clean_strip(crop: np.ndarray, even: bool = True) -> np.ndarray:
    """The strip with rules and cut glyphs gone, cut to the number's own rows and columns;
    with its light evened out (``even_paper``) or not (each reads some strips right that
    the other does not)."""
    clean, box = _strip_box(to_gray(crop), even)
    return clean[box]


def plain_strip(crop: np.ndarray) -> np.ndarray:
    """The number's rows and columns as they are, rules left in: PP-OCR reads some sealed
    strips better so (erasing rules took strokes of the ring with them)."""
    gray = to_gray(crop)
    return gray[_strip_box(gray)[1]]


def line_image(crop: np.ndarray, even: bool = True) -> np.ndarray:
    """The strip as Tesseract reads one line best: ``clean_strip`` with a border of paper
    half the strip's height all round (PP-OCR, which scales a line to 48 px high, reads
    the strip without: a border shrinks the print)."""
    return _bordered(clean_strip(crop, even))


def kept_image(crop: np.ndarray) -> np.ndarray:
    """The number's rows and columns with rules kept and the light evened out, bordered: a
    fold's crease runs down through a digit like a table rule, and erasing it cut the
    digit in two (a bowed form's ``1405252000…`` read ``140525 0007…`` in every other
    look)."""
    gray = to_gray(crop)
    return _bordered(even_paper(gray[_strip_box(gray)[1]]))


def _bordered(gray: np.ndarray) -> np.ndarray:
    pad = max(8, gray.shape[0] // 2)
    return cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=_paper(gray))


def line_sources(
    reading: np.ndarray, original: np.ndarray | None, box: tuple[slice, slice]
) -> dict[str, np.ndarray]:
    """The identifier's line as the page was read (red ink turned to paper, ``ink``) and,
    when the line itself carries red ink, its red channel (a seal's ink nearly paper,
    black print black, none of the seams the page-wide removal leaves where it stops) and
    the line with the seal's ink unmixed colour by colour (``unseal``: the print under a
    thin stroke kept, under a thick one bridged from the digit's strokes beside it)."""
    out = {"page": to_gray(reading[box])}
    if original is not None and original.ndim == 3 and has_red(original[box]):
        out["red"] = np.ascontiguousarray(original[box][..., 2])
        out["unsealed"] = unsealed(original[box])
    return out


@dataclass(frozen=True)
class Look:
    """One OCR run on one source strip: how it is shaped, at what scale, with what alphabet."""

    source: str
    shape: Callable[[np.ndarray], np.ndarray]
    whitelist: str = ""
    scale: int = 1


def _looks(engine: OcrEngine, kind: str, sources: list[str]) -> list[Look]:
    """How each source strip is read. Tesseract: with the identifier's alphabet and free
    (``extract``'s repairs apply), with the light evened out and as it was; the page's
    strip with its rules kept too (``kept_image``); the unsealed strip at twice its size
    too (a sealed number on a blurred page is ~20 px high: doubled, one more of the hard
    set's read right). RapidOCR (which scales a line itself): the cleaned strip both ways
    and the plain one, not the unsealed strip (it read every legible sealed number
    without it)."""
    if not engine.restricts_alphabet:
        shapes = [partial(clean_strip, even=True), partial(clean_strip, even=False), plain_strip]
        return [Look(s, shape) for s in sources if s != "unsealed" for shape in shapes]
    alphabets = (ALPHABETS[kind], "")
    out = []
    for source in sources:
        shapes = [partial(line_image, even=True), partial(line_image, even=False)]
        shapes += [kept_image] if source == "page" else []
        for scale in UNSEALED_SCALES if source == "unsealed" else (1,):
            out += [Look(source, shape, alphabet, scale) for shape in shapes for alphabet in alphabets]
    return out


def _look_texts(engine: OcrEngine, kind: str, sources: dict[str, np.ndarray], dpi: float) -> list[str]:
    """What each of the engine's looks (``_looks``) read on its source strip."""
    return [_read(engine, look, sources[look.source], dpi) for look in _looks(engine, kind, list(sources))]


def _read(engine: OcrEngine, look: Look, strip: np.ndarray, dpi: float) -> str:
    image = look.shape(strip)
    if look.scale != 1:
        image = cv2.resize(image, None, fx=look.scale, fy=look.scale, interpolation=cv2.INTER_CUBIC)
    return engine.recognize(image, dpi=dpi * look.scale, single_line=True, whitelist=look.whitelist).text


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
    out (its red channel and its colours are more looks at a sealed line). Every look
    that validates (check digit) is a candidate; the identifier is taken only when they
    agree on one value (``combine.agreed``): two different valid readings of one line
    are a guess, not a reading.

    Tesseract's page read of a number under a seal is one look too: on the second hard set
    (captures 96–191) it read a sealed form's ``…159243`` as ``…178743``, which passed the
    check digit by luck (1 in 11). So a number the page read where seal ink lies over its
    line is kept only when the line's looks, with the page read among them, agree on it
    (``combine.agreed``); otherwise it is reported unverified. RapidOCR's rule is one
    look, and the page read is that look."""
    out = dict(fields)
    strict = engine.restricts_alphabet
    for kind, labels in LABELS.items():
        if not any(label in ocr.text.replace(" ", "") for label in labels):
            continue
        page_read = _page_read(ocr.text, kind, out.get(kind)) if kind in out else None
        if kind in out and (page_read is None or not strict):
            continue  # read on the page (or from a code), and one look is enough
        heights = NUMBER_HEIGHTS_TESSERACT if strict else NUMBER_HEIGHTS
        box = line_box(ocr, labels, image.shape, heights)
        if box is None:
            continue
        sources = line_sources(image, original, box)
        if kind in out and "red" not in sources:
            continue  # no seal over the line: the page read stands
        texts = _look_texts(engine, kind, sources, dpi)
        found = agreed(texts + ([page_read] if page_read else []), kind, strict=strict)
        if found is None and engine.name in SECOND_READER:
            found = second_reading(SECOND_READER[engine.name], kind, sources, dpi)
        if found is not None:
            out[kind] = found
            out.pop(f"{kind}_unverified", None)
        elif kind in out:  # a page read under a seal that no look confirms is a guess
            out[f"{kind}_unverified"] = out.pop(kind)
    return out


def second_reading(reader: str, kind: str, sources: dict[str, np.ndarray], dpi: float) -> str | None:
    """The line read by another engine's recogniser when this engine's looks agree on
    nothing, under the strict rule all the same (two looks, one as read). PP-OCR's
    recogniser reads a sealed number Tesseract cannot (on the hard set's sealed lines
    it needs no look at the unsealed strip); only its ~85 MB model is loaded, on the
    first page that needs it (``ocr.rapidocr.shared_rapidocr``)."""
    return agreed(_look_texts(get_engine(reader), kind, sources, dpi), kind, strict=True)


def _page_read(text: str, kind: str, value: str | None) -> str | None:
    """The page read's own characters of ``value`` (its raw reading, repairs undone), or
    None when the page text does not hold it (the value came from a code)."""
    readings = find_identifiers(text)
    return next((r.raw for r in readings if r.kind == kind and r.valid and r.value == value), None)
