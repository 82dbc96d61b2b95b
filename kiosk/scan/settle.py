"""The gate's doubts settled by the page's reading.

What the gate can only suspect from the pixels (soft print, glare beside the print, a page
running out of the frame by its margin) is decided by what was read: a page is filed when
its reading is *reliable* and refused with the gate's own advice when not. Reliable means
what matters for the material:

- the engine is confident on the whole (``MIN_CONFIDENCE``) and on every line that carries
  text (``MIN_LINE_CONFIDENCE``: Tesseract's word confidences, RapidOCR's per box): one weak
  line is where a smear or a glare spot took characters. A word that reads exactly one of
  the material's labels is no guess (its text was known before the page was read) and is
  left out of its line;
- every label the material must carry was read (``expected_labels``: the requirement's
  keywords and its kind's wording, e.g. 性别 and 公民身份号码 on an ID card's front): a
  label washed out by glare is also the value beside it;
- every identifier whose label is on the page was read valid (its check digit holds).

A glare doubt is judged by what a spot can take (``settled``): the lines and identifiers,
not the page's mean confidence, and the labels only when the spot washed print out.

The thresholds were set on the gate benchmark's ``tune`` split (``bench/scan_gate.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from shared_schema import MaterialRequirement

from .classify import KIND_CUES, keyword_score
from .reread import LABELS
from .types import OcrResult, Problem

# mean confidence of a reliable reading. Tesseract's, set on the gate bench's `tune` split (25
# pages): its doubted pages read wrong reached 89.3 (at 85, two of them were filed), its right
# readings started at 90.5 (bench/scan_gate.py, docs/scanning.md); on all 50 `tune` pages the
# same (wrong up to 89.3, right from 90.3 but for one soft licence at 83.8)
MIN_CONFIDENCE = {"rapidocr": 90.0, "tesseract": 90.0}
# mean word (Tesseract) or box (RapidOCR) confidence of each line with ≥ 2 characters, the
# material's labels read exactly left out: the same bound for both, set before any
# measurement (below it, a good part of the line's characters are guesses) and checked on
# the gate bench's `tune` split: for Tesseract any floor over 44.5 and up to 67.6 gives the same
# verdicts there (its doubted pages read wrong had a line at 44.5 at most, its right ones
# none under 67.6); RapidOCR's stops no wrong reading there
MIN_LINE_CONFIDENCE = {"tesseract": 60.0, "rapidocr": 60.0}
LABEL_FOUND = 0.5  # fuzzy match (``classify.keyword_score``) at which a label counts as read
LABEL_SEEN = 0.5  # share of a label's characters read together at which a glare spot did not take it


def expected_labels(requirement: MaterialRequirement | None) -> list[str]:
    """The wording every page of this material carries: its keywords and its kind's cues."""
    if requirement is None:
        return []
    labels = list(requirement.hints.keywords) + KIND_CUES.get(requirement.hints.kind, [])
    return list(dict.fromkeys(labels))


def line_confidences(ocr: OcrResult, known: Collection[str] = ()) -> list[float]:
    """Mean word confidence of each line with at least two characters, weighted by characters
    (RapidOCR's words are its detected boxes; empty without word boxes). Words that read
    exactly a label in ``known`` (the material's wording) are left out: their text was
    known before the page was read, so a low confidence there lost no character."""
    by_line: dict[int, list[tuple[float, int]]] = {}
    for word in ocr.words:
        if known and word.text.replace(" ", "").rstrip(":：") in known:
            continue
        by_line.setdefault(word.line, []).append((word.confidence, len(word.text)))
    out = []
    for words in by_line.values():
        chars = sum(n for _, n in words)
        if chars >= 2:
            out.append(sum(c * n for c, n in words) / chars)
    return out


def weakest_line(ocr: OcrResult, known: Collection[str] = ()) -> float | None:
    lines = line_confidences(ocr, known)
    return min(lines) if lines else None


def reliable(
    ocr: OcrResult, fields: dict[str, str], expected: Sequence[str] = (), *, whole_page: bool = True
) -> bool:
    """Whether a reading can be trusted without a retake (see the module's docstring).
    ``whole_page=False`` leaves out the page's mean confidence and the labels' presence: a
    glare spot is local, and what it may have taken shows in the lines and identifiers, not
    in the mean (its labels are judged by ``settled``)."""
    if ocr.error or not ocr.text.strip() or ocr.confidence is None:
        return False
    if whole_page and ocr.confidence < MIN_CONFIDENCE.get(ocr.engine, 90.0):
        return False
    weakest = weakest_line(ocr, known=set(expected))
    if weakest is not None and weakest < MIN_LINE_CONFIDENCE.get(ocr.engine, 0.0):
        return False
    if whole_page and any(keyword_score(label, ocr.text) < LABEL_FOUND for label in expected):
        return False
    flat = ocr.text.replace(" ", "")
    return all(kind in fields for kind, labels in LABELS.items() if any(label in flat for label in labels))


def label_seen(label: str, text: str) -> bool:
    """Whether at least ``LABEL_SEEN`` of the label's characters were read together (within
    its length + 1). A glare spot washes print out: what ran under it is not read at all. A
    label read with a character wrong (箱贯 for 籍贯) was seen, and misread: what the
    reading's line confidences answer for, not the spot."""
    chars, flat = set(label), "".join(text.split())
    width = len(label) + 1
    windows = (set(flat[i : i + width]) for i in range(max(1, len(flat) - width + 1)))
    best = max((len(chars & window) for window in windows), default=0)
    return best >= LABEL_SEEN * len(chars)


def settled(
    doubt: Problem, ocr: OcrResult, fields: dict[str, str], expected: Sequence[str], print_hidden: bool
) -> bool:
    """Whether the reading settles one doubt. Glare is judged by what it can have taken:
    every line confident and every identifier valid; the material's labels only when the
    spot washed out print (``print_hidden``), since where the print round it is seen a
    label cannot have gone under it, and then a label counts as taken only when it was not
    seen at all (``label_seen``). The other doubts (soft print, a margin beyond the frame)
    concern the whole page: the whole reading must be ``reliable``."""
    if doubt.code == "glare":
        taken = print_hidden and not all(label_seen(label, ocr.text) for label in expected)
        return not taken and reliable(ocr, fields, expected, whole_page=False)
    return reliable(ocr, fields, expected)


def settle(
    doubts: list[Problem], ocr: OcrResult, fields: dict[str, str], expected: Sequence[str] = (),
    print_hidden: bool = False,
) -> list[Problem]:  # fmt: skip
    """The doubts that stand once the page has been read (``settled``). ``print_hidden``:
    the gate found print washed out under a glare spot (``glare.hidden_print`` > 0)."""
    return [d for d in doubts if not settled(d, ocr, fields, expected, print_hidden)]
