"""Classification of every document kind against the synthetic matter's requirements."""

from __future__ import annotations

import random

import pytest

from kiosk.scan.classify import classify, keyword_score, page_size_of
from kiosk.scan.extract import extract
from kiosk.scan.synth.documents import KINDS, render
from kiosk.scan.synth.matter import REQUIREMENT_OF_KIND
from kiosk.scan.types import Barcode

LOOKALIKE = {"申": "由", "请": "诸", "材": "村", "料": "科", "证": "正", "民": "氏", "号": "亏", "码": "玛"}


def ocr_noise(text: str, rate: float, seed: int) -> str:
    """Misread a share of characters the way OCR does (look-alikes), drop a few more."""
    rng = random.Random(seed)
    out = []
    for ch in text:
        roll = rng.random()
        if roll < rate:
            out.append(LOOKALIKE.get(ch, "口"))
        elif roll < rate * 1.3:
            continue
        else:
            out.append(ch)
    return "".join(out)


def test_keyword_score_is_fuzzy_but_not_loose():
    text = "审批流程登记卡 申请事项 城乡居民基本医疗保险"
    assert keyword_score("审批流程登记卡", text) == 1.0
    assert 0.5 < keyword_score("审批流程登记卡", "审批流裎登记卡") < 1.0  # one misread character
    assert keyword_score("申请材料转办单", "申请材料接收通知书") < 0.35  # shared prefix only
    assert keyword_score("营业执照", "") == 0.0


def test_page_size_from_shape():
    assert page_size_of((425, 674, 3)) == "id_card"
    assert page_size_of((674, 425)) == "id_card"  # not yet turned upright
    assert page_size_of((2339, 1654, 3)) == "A4"
    assert page_size_of((1000, 1000)) is None
    assert page_size_of(None) is None


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_classified_from_its_text(docs, matter, kind):
    doc = docs[kind]
    barcodes = (
        [Barcode("QRCODE", f"https://www.gsxt.gov.cn/corp?uniscid={doc.fields['uscc']}")]
        if "uscc" in doc.fields
        else []
    )
    fields = extract(doc.text, barcodes).fields
    match = classify(
        doc.text, matter.guide.materials, barcodes=barcodes, image_shape=doc.image.shape, fields=fields
    )
    assert match.code == REQUIREMENT_OF_KIND[kind]
    assert match.confidence >= 0.6
    assert set(match.scores) == {m.code for m in matter.guide.materials}


@pytest.mark.parametrize("kind", KINDS)
def test_classification_tolerates_ocr_errors(docs, matter, kind):
    doc = docs[kind]
    noisy = ocr_noise(doc.text, 0.08, seed=len(kind))
    match = classify(noisy, matter.guide.materials, image_shape=doc.image.shape)
    assert match.code == REQUIREMENT_OF_KIND[kind], match.scores


def test_id_card_sides_told_apart_and_shape_counts(docs, matter):
    front = classify(docs["id_card_front"].text, matter.guide.materials, image_shape=(425, 674))
    back = classify(docs["id_card_back"].text, matter.guide.materials, image_shape=(425, 674))
    assert (front.code, back.code) == ("id_card_front", "id_card_back")
    as_a4 = classify(docs["id_card_front"].text, matter.guide.materials, image_shape=(2339, 1654))
    assert as_a4.scores["id_card_front"] < front.scores["id_card_front"]


def test_nothing_fits_gives_no_code(matter):
    match = classify("今天天气很好，我们去公园散步。", matter.guide.materials, image_shape=(2339, 1654))
    assert match.code is None and match.confidence == 0.0
    assert classify("", matter.guide.materials).code is None


def test_real_ocr_of_a_licence_classifies(docs, matter, tesseract):
    from kiosk.scan.codes import read_codes

    doc = docs["business_licence"]
    text = tesseract.recognize(doc.image, dpi=200).text
    codes = read_codes(doc.image)
    fields = extract(text, codes).fields
    match = classify(text, matter.guide.materials, barcodes=codes, image_shape=doc.image.shape, fields=fields)
    assert match.code == "business_licence" and fields["uscc"] == doc.fields["uscc"]


def test_a_page_that_names_itself_is_no_card_or_register(matter):
    """An application form of another matter (个体工商户设立登记申请表) repeats an ID card's
    labels and number in its table: it was taken for the card's front, so the kiosk counted
    the card as supplied. It names itself a form, which a card's face never does and a
    register page does only by its own title."""
    forms = [d for d in (render("application_form", s) for s in range(60)) if "个体工商户" in d.text]
    assert len(forms) >= 3
    for doc in forms:
        fields = extract(doc.text, []).fields
        match = classify(doc.text, matter.guide.materials, image_shape=doc.image.shape, fields=fields)
        assert match.code == "application_form", match.scores
        assert match.scores["id_card_front"] == match.scores["household_register"] == 0.0


def test_own_title_misread_or_a_note_on_a_copy_keeps_the_kind(docs, matter):
    """The title rule takes nothing from a register whose own title is misread by a
    character, nor from a card's copy annotated for its use (no document's name)."""
    register = docs["household_register"]
    misread = register.text.replace("常住人口登记卡", "常往人口登记卡")
    fields = extract(misread, []).fields
    match = classify(misread, matter.guide.materials, image_shape=register.image.shape, fields=fields)
    assert match.code == "household_register", match.scores
    card = docs["id_card_front"]
    noted = card.text + "\n此复印件仅供办理社保业务使用"
    match = classify(
        noted, matter.guide.materials, image_shape=(2339, 1654), fields=extract(noted, []).fields
    )
    assert match.code == "id_card_front", match.scores
