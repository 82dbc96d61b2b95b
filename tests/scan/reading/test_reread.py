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
    fixed = reread_identifiers(doc.image, broken, fields, tesseract.recognize, 200)
    assert fixed[field] == truth and f"{field}_unverified" not in fixed


def test_no_label_no_second_look(docs, tesseract):
    doc = docs["guide_page"]
    page = tesseract.recognize(doc.image, dpi=200)
    calls = []

    def read(*args, **kwargs):
        calls.append(kwargs)
        return page

    assert reread_identifiers(doc.image, page, {}, read, 200) == {} and not calls
    assert line_crop(doc.image, page, ("公民身份号码",)) is None


def test_vertical_rules_are_erased_from_a_line_strip():
    import numpy as np

    strip = np.full((40, 200), 255, np.uint8)
    strip[:, 20:23] = 0  # a table rule
    strip[15:25, 60:70] = 0  # print
    clean = erase_rules(strip)
    assert clean[:, 20:23].min() == 255 and clean[15:25, 60:70].max() == 0
