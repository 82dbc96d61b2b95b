"""The single-line second look at an identifier the whole-page read missed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.scan.extract import extract
from kiosk.scan.reread import erase_rules, line_crop, reread_identifiers


@pytest.mark.parametrize(("kind", "field"), [("application_form", "id_number"), ("business_licence", "uscc")])
def test_missed_identifier_is_read_again_from_its_line(docs, tesseract, kind, field):
    doc = docs[kind]
    page = tesseract.recognize(doc.image, dpi=200)
    truth = doc.fields[field]
    # the page read got one character wrong: the number no longer validates
    broken = replace(page, text=page.text.replace(truth, truth[:6] + "?" + truth[7:]))
    fields = extract(broken.text).fields
    assert field not in fields
    fixed = reread_identifiers(doc.image, broken, fields, tesseract, 200)
    assert fixed[field] == truth and f"{field}_unverified" not in fixed


def test_no_label_no_second_look(docs, tesseract):
    doc = docs["guide_page"]
    page = tesseract.recognize(doc.image, dpi=200)
    engine = _Lines([page.text])
    assert reread_identifiers(doc.image, page, {}, engine, 200) == {} and not engine.calls
    assert line_crop(doc.image, page, ("公民身份号码",)) is None


def test_vertical_rules_are_erased_from_a_line_strip():
    import numpy as np

    strip = np.full((40, 200), 255, np.uint8)
    strip[:, 20:23] = 0  # a table rule
    strip[15:25, 60:70] = 0  # print
    clean = erase_rules(strip)
    assert clean[:, 20:23].min() == 255 and clean[15:25, 60:70].max() == 0


def test_whitelisted_read_keeps_a_number_bent_into_the_alphabet(tesseract):
    """Tesseract gives confidence 0 to a word it had to bend into the whitelist; the page
    clean-up dropped such words as artefacts, so the second look on a benchmark licence
    (read ``…PIT`` on the page, ``…PJT`` printed) came back empty. An I, which no credit
    code contains, forces the bend here."""
    import numpy as np
    from PIL import Image, ImageDraw

    from kiosk.scan.reread import ALPHABETS
    from kiosk.scan.synth.render import FACES, font

    strip = Image.new("L", (560, 60), 235)
    ImageDraw.Draw(strip).text((10, 12), "9214052538L5FF4PIT", font=font(FACES[0], 26), fill=40)
    read = tesseract.recognize(np.asarray(strip), dpi=200, single_line=True, whitelist=ALPHABETS["uscc"])
    assert len(read.text) >= 16 and set(read.text) <= set(ALPHABETS["uscc"])


def test_line_strip_loses_cut_glyphs_and_gains_a_border():
    """A sliver of the label's last character at the strip's left end read as a leading
    ``1`` (a 19-character run); the next table cell's text is no part of the number;
    Tesseract also wants paper round a line."""
    import numpy as np

    from kiosk.scan.reread import line_image

    strip = np.full((40, 300), 230, np.uint8)
    strip[8:30, 0:3] = 20  # the cut-off end of the label's last character
    strip[10:28, 40:52] = 20  # print
    strip[10:28, 200:212] = 20  # the next cell's text, a wide gap away
    out = line_image(strip)
    rows = 18 + 2 * 3  # the print's rows and a little paper (the strip's middle half / 6, ≥ 3)
    pad = max(8, rows // 2)  # the paper border
    margin = rows // 3  # kept round the number's columns
    assert out.shape == (rows + 2 * pad, 12 + 2 * margin + 2 * pad)  # cut to the number
    assert (out < 60).sum() == 18 * 12  # the print only: sliver and next cell gone
    top, left = pad + 3, pad + margin
    assert out[top : top + 18, left : left + 12].max() < 60  # print kept
    assert out[:pad].min() > 200 and out[:, :pad].min() > 200  # paper border


class _Lines:
    """An engine that answers each single-line read with the next of ``answers`` (the
    repair rules are under test here, not the OCR)."""

    name = "fake"

    def __init__(self, answers, restricts_alphabet=True):
        self.answers = list(answers)
        self.restricts_alphabet = restricts_alphabet
        self.calls = 0

    def recognize(self, image, *, dpi, single_line=False, whitelist="", cancel=None):
        from kiosk.scan.types import OcrResult

        assert single_line
        text = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return OcrResult(text, 90.0, "fake", [text])


def _broken(docs, tesseract, field="id_number", kind="application_form"):
    doc = docs[kind]
    page = tesseract.recognize(doc.image, dpi=200)
    truth = doc.fields[field]
    return doc, truth, replace(page, text=page.text.replace(truth, truth[:6] + "?" + truth[7:]))


def test_reread_refuses_a_number_whose_check_digit_fails(docs, tesseract):
    doc, truth, broken = _broken(docs, tesseract)
    wrong = truth[:9] + str((int(truth[9]) + 1) % 10) + truth[10:]  # one digit off: check fails
    engine = _Lines([wrong])
    fixed = reread_identifiers(doc.image, broken, extract(broken.text).fields, engine, 200)
    assert engine.calls >= 2 and "id_number" not in fixed


def test_reread_refuses_two_different_valid_readings(docs, tesseract):
    """Two looks that each validate but disagree are a guess: nothing is taken."""
    import random

    from kiosk.scan.synth.identities import make_person

    doc, truth, broken = _broken(docs, tesseract)
    other = make_person(random.Random(99)).id_number
    assert other != truth
    engine = _Lines([truth, other], restricts_alphabet=False)
    fixed = reread_identifiers(doc.image, broken, extract(broken.text).fields, engine, 200)
    assert "id_number" not in fixed
    assert reread_identifiers(doc.image, broken, {}, _Lines([truth]), 200)["id_number"] == truth


def test_second_reader_is_held_to_the_strict_rule(docs, tesseract, monkeypatch):
    """Tesseract's looks agree on nothing, so the PP-OCR recogniser reads the line again
    (``second_reading``); its looks must agree as Tesseract's must: two looks, one as read."""
    from kiosk.scan import reread

    doc, truth, broken = _broken(docs, tesseract)
    fields = extract(broken.text).fields
    lost = _Lines(["?"])
    lost.name = "tesseract"
    for answers, expected in (([truth, "?"], None), (["?", truth], truth), ([truth, truth, "?"], truth)):
        second = _Lines(answers, restricts_alphabet=False)
        monkeypatch.setattr(reread, "get_engine", lambda name, second=second: second)
        assert reread_identifiers(doc.image, broken, fields, lost, 200).get("id_number") == expected
        assert second.calls >= 2  # it was asked
    other = _Lines(["?"])  # an engine with no second reader: no one else is asked
    monkeypatch.setattr(reread, "get_engine", lambda name: pytest.fail("asked a second reader"))
    assert "id_number" not in reread_identifiers(doc.image, broken, fields, other, 200)
