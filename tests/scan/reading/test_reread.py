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
    ``1`` (a 19-character run); Tesseract also wants paper round a line."""
    import numpy as np

    from kiosk.scan.reread import line_image

    strip = np.full((40, 300), 230, np.uint8)
    strip[8:30, 0:3] = 20  # the cut-off end of the label's last character
    strip[10:28, 40:52] = 20  # print
    out = line_image(strip)
    pad = 20
    assert out.shape == (40 + 2 * pad, 300 + 2 * pad)
    assert out[pad + 8 : pad + 30, pad : pad + 3].min() > 200  # sliver gone
    assert out[pad + 10 : pad + 28, pad + 40 : pad + 52].max() < 60  # print kept
    assert out[:pad].min() > 200 and out[:, :pad].min() > 200  # paper border
