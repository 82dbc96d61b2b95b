from __future__ import annotations

import numpy as np
import pytest

from kiosk.scan.synth.documents import KINDS, render
from kiosk.scan.synth.metrics import cer, edit_distance
from shared_schema.identifiers import is_valid_id_number, is_valid_uscc


def test_same_seed_same_pixels_other_seed_other_content():
    a, b, c = render("application_form", 7), render("application_form", 7), render("application_form", 8)
    assert np.array_equal(a.image, b.image) and a.lines == b.lines
    assert a.fields["id_number"] != c.fields["id_number"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_ground_truth(docs, kind):
    doc = docs[kind]
    assert doc.image.dtype == np.uint8 and doc.image.ndim == 3
    assert len(doc.lines) >= 4 and doc.text.strip()
    if "id_number" in doc.fields:
        assert is_valid_id_number(doc.fields["id_number"])
        assert doc.fields["id_number"] in doc.text
    if "uscc" in doc.fields:
        assert is_valid_uscc(doc.fields["uscc"])


def test_page_sizes_at_200_dpi(docs):
    assert docs["receipt_notice"].image.shape[:2] == (2339, 1654)  # A4
    h, w = docs["id_card_front"].image.shape[:2]
    assert abs(w / h - 85.6 / 54) < 0.01


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown document kind"):
        render("passport")


def test_edit_distance_and_cer():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
    assert cer("申请材料 转办单", "申请材料转办单") == 0.0  # spaces are not errors
    assert cer("１２３", "123") == 0.0  # full-width digits normalised
    assert cer("居民身份证", "居民身分证") == pytest.approx(0.2)
