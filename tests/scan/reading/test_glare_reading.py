"""Issue 13: glare is judged by what it took from the material. An ID card photographed
with a glare spot is filed when the spot lies beside the print, refused when it washed out
the ID number or a label the card must carry — each with the gate's own advice."""

from __future__ import annotations

import pytest

from kiosk.scan.pipeline import Pipeline
from kiosk.scan.quality import MESSAGES, assess_before_issue_13, problem
from kiosk.scan.settle import expected_labels, settle
from kiosk.scan.synth.camera import photograph, random_params
from kiosk.scan.synth.documents import render
from kiosk.scan.types import Capture, OcrResult, OcrWord

STEADY = {"background": "dark", "fill": 0.8, "blur_sigma": 0.2, "shadow": 0.0, "exposure": 1.0,
          "noise_sigma": 2.0, "folded_corner": None, "glare": 0.05}  # fmt: skip


@pytest.fixture(scope="module")
def card():
    return render("id_card_front", 5)


@pytest.fixture(scope="module", params=["rapidocr", "tesseract"])
def pipe(request, matter, tmp_path_factory):
    return Pipeline(engine=request.param, requirements=list(matter.guide.materials),
                    out_dir=tmp_path_factory.mktemp("pages"))  # fmt: skip


def shoot(pipe, doc, at):
    shot = photograph(doc.image, random_params(24, (2400, 1800), **STEADY, glare_at=at), 24)
    page = pipe.process(Capture(shot.image, "card.jpg"))
    before = assess_before_issue_13(page.image, None)
    return page, before


def test_glare_beside_the_print_is_filed(pipe, card):
    page, before = shoot(pipe, card, (0.9, 0.3))  # on the photo's place, right of the print
    assert page.ok, page.problems
    assert page.fields["id_number"] == card.fields["id_number"]
    assert "glare" in {p.code for p in before.problems}  # the old gate asked for a retake


def test_glare_over_the_id_number_is_refused(pipe, card):
    page, _ = shoot(pipe, card, (0.5, 0.86))
    assert not page.ok
    assert [(p.code, p.message) for p in page.problems] == [("glare", MESSAGES["glare"])]
    assert page.fields.get("id_number") != card.fields["id_number"]  # the number was lost


def test_glare_over_a_label_the_card_must_carry_is_refused(pipe, card):
    """性别 washed out: the rest reads perfectly, the number holds its check digit, but a
    card whose label is gone has lost the value beside it as easily."""
    page, _ = shoot(pipe, card, (0.08, 0.28))
    assert not page.ok
    assert [p.code for p in page.problems] == ["glare"]
    assert page.fields.get("id_number") == card.fields["id_number"]
    assert "性别" not in page.ocr.text.replace(" ", "")


def test_expected_labels_come_from_the_material(matter):
    by_kind = {r.hints.kind.value: r for r in matter.guide.materials}
    labels = expected_labels(by_kind["id_card_front"])
    assert {"公民身份号码", "性别", "民族"} <= set(labels)
    assert expected_labels(None) == []


def _reading(lines: list[tuple[str, float]], engine: str = "tesseract") -> OcrResult:
    words = [OcrWord(text, conf, (0, 40 * i, 100, 30), i) for i, (text, conf) in enumerate(lines)]
    text = "\n".join(t for t, _ in lines)
    mean = sum(c for _, c in lines) / len(lines)
    return OcrResult(text=text, confidence=mean, engine=engine, lines=text.splitlines(), words=words)


@pytest.mark.parametrize("engine", ["tesseract", "rapidocr"])
def test_a_weak_line_keeps_the_doubt(card, engine):
    """A confident page with one line read at low confidence (where a spot or a smear took
    characters) is not reliable enough to settle a doubt: Tesseract's words and RapidOCR's
    boxes alike (a page mean of 92 would pass)."""
    doubts = [problem("glare")]
    fields = {"id_number": card.fields["id_number"]}
    good = [("姓名丁伟", 99.0), ("性别女民族汉", 98.0), ("公民身份号码" + card.fields["id_number"], 97.0)]
    assert settle(doubts, _reading(good, engine), fields) == []
    weak = [*good[:2], ("住址山西省晋城市", 55.0), (good[2][0], 99.5), ("出生1995年6月17日", 99.5)]
    assert _reading(weak, engine).confidence >= 90
    assert settle(doubts, _reading(weak, engine), fields) == doubts
    missing = [good[0], ("女民族汉", 98.0), good[2]]  # 性别 not read, under a spot that washed print out
    labels = ["性别", "公民身份号码"]
    assert settle(doubts, _reading(missing, engine), fields, labels, print_hidden=True) == doubts
