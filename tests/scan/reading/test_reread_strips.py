"""The second look's strip and vote on constructed strips (no OCR engine: fast).

Each case is one of the hard set's misses (issue 13): a seal read as one word beside the
label, a blurred number taken for a rule, a fold's shadow taken for a rule, a digit under
a seal that one look reads and another does not."""

from __future__ import annotations

import itertools

import numpy as np

from kiosk.scan.combine import MAX_COMBINATIONS, combine_readings
from kiosk.scan.extract import _valid
from kiosk.scan.reread import clean_strip, erase_rules, line_box
from kiosk.scan.types import OcrResult, OcrWord

TRUTH = "140524198802230517"


def _swap(value: str, pos: int, digit: str) -> str:
    return value[:pos] + digit + value[pos + 1 :]


def _wrong(value: str, pos: int) -> str:
    """The value with a different digit at ``pos`` that does not validate on its own."""
    return next(w for d in "0123456789" if not _valid("id_number", w := _swap(value, pos, d)))


def test_two_partial_readings_combine_under_the_check_digit():
    a, b = _wrong(TRUTH, 3), _wrong(TRUTH, 10)  # each look got a different digit wrong
    double = _swap(a, 10, b[10])
    assert not any(_valid("id_number", v) for v in (a, b, double))
    assert combine_readings([a, "公民身份号码 " + b], "id_number") == [TRUTH]
    assert combine_readings([a], "id_number") == []  # one reading is no vote


def test_combination_refuses_what_no_reading_saw_and_ambiguity():
    hidden = _swap(TRUTH, 5, "±")  # a digit under the seal: never filled from the check alone
    assert combine_readings([hidden, hidden], "id_number") == []
    # two wrong digits that together validate again: two valid combinations, a guess
    p, q = next(
        (p, q)
        for p, q in itertools.combinations(range(17), 2)
        for dp in "0123456789"
        for dq in "0123456789"
        if dp != TRUTH[p] and dq != TRUTH[q] and _valid("id_number", _swap(_swap(TRUTH, p, dp), q, dq))
        and not _valid("id_number", _swap(TRUTH, p, dp)) and not _valid("id_number", _swap(TRUTH, q, dq))
        and (found := (dp, dq))
    )  # fmt: skip
    dp, dq = found
    assert combine_readings([_swap(TRUTH, p, dp), _swap(TRUTH, q, dq)], "id_number") == []
    # too many choices: the check digit would no longer guard
    many = [_wrong(TRUTH, pos) for pos in range(4)]
    assert 2 ** len(many) > MAX_COMBINATIONS and combine_readings(many, "id_number") == []


def test_strip_stays_on_the_number_when_a_seal_reads_as_a_word_beside_the_label():
    """A seal over the number came back as one word "人" spanning it; skipping it as if it
    were the rest of the label put the strip past the number, on blank paper."""
    words = [
        OcrWord("公民身份号", 90, (100, 500, 150, 30), 0),
        OcrWord("码：", 90, (250, 500, 40, 30), 0),  # the rest of the label: skipped
        OcrWord("人", 20, (300, 480, 350, 70), 0),  # the sealed number
    ]
    ocr = OcrResult("公民身份号码：人", 60.0, "fake", ["公民身份号码：人"], words=words)
    rows, cols = line_box(ocr, ("身份号",), (1000, 1600))
    assert cols.start == 290 and cols.stop >= 650
    assert rows.start <= 500 - 15 and rows.stop >= 530 + 15  # half the label above and below


def test_thin_rules_go_blurred_digits_stay():
    strip = np.full((80, 420), 225, np.uint8)
    strip[12:14, :] = 60  # the row's rule
    strip[30:50, 40:400] = 70  # a blurred number: its digits ran together
    out = erase_rules(strip)
    assert out[12:14].min() > 200 and out[32:48, 50:390].max() < 100


def test_a_folds_shadow_is_no_rule():
    """A shadow band across the number is dark enough for a global threshold to take it,
    and the digit in it, for a table rule."""
    strip = np.full((80, 420), 225, np.uint8)
    strip[:, 150:200] = 110  # the fold's shadow, the strip's whole height
    lefts = range(40, 320, 20)  # digits, two in the shadow
    for left in lefts:
        strip[30:50, left : left + 8] = 40
    out = clean_strip(strip)
    assert out.shape[1] >= 280  # the whole number, not cut at the shadow
    start = int(np.flatnonzero((out < 100).any(axis=0))[0])  # the first digit
    assert all((out[:, start + left - 40 : start + left - 32] < 100).any() for left in lefts)


def test_a_ring_joining_the_digits_to_the_ends_does_not_take_them_away():
    """On a seal's red channel the faint ring joins the digits into one component that
    reaches both ends of the strip: it is no piece of a character the crop cut through."""
    strip = np.full((80, 420), 235, np.uint8)
    strip[38:40, :] = 150  # the ring's faint arc through the line, end to end
    for left in range(40, 320, 20):
        strip[30:50, left : left + 8] = 60
    out = clean_strip(strip)
    assert out.shape[1] >= 280 and (out < 100).any(axis=0).sum() >= 14 * 8
