"""A fold's shadow is not the page's edge (issue 13): a creased form whose far half lies in
the fold's shadow on a desk of nearly its colour is found whole, and a flat page's edges are
never taken for folds."""

from __future__ import annotations

import pytest

from kiosk.scan import workcopy
from kiosk.scan.detect import detect_page
from kiosk.scan.fold import across_fold
from kiosk.scan.geometry import quad_iou
from kiosk.scan.synth.documents import render

from .test_detect import CASES

# the generator's crease runs down the page's middle; these seeds lay the page all four ways
# round (0, 90, 180, 270), 5 with a shadow cast on the desk beyond the far half: on each,
# the bright half alone outscored the whole page
FOLDED = [0, 1, 4, 5, 6, 11]


@pytest.fixture(scope="module")
def form():
    """An application form: its table's rules run through the crease."""
    return render("application_form", 501).image


@pytest.mark.parametrize("seed", FOLDED)
def test_folded_page_is_found_whole(snap, form, seed):
    creased = {"bow": 0.015, "fold_shadow": 0.3}
    cap = snap(seed, frame=(1600, 1200), doc=form, glare=0.0, background="similar", **creased)
    found = detect_page(cap.image)
    assert quad_iou(found.quad, cap.quad) >= 0.95, found.quad.round().tolist()


@pytest.mark.parametrize(("seed", "overrides"), CASES)
def test_a_flat_pages_edges_are_no_fold(snap, seed, overrides):
    """Print stops short of a page's edge, so no side of a flat page is grown (a dog-ear, a
    cluttered desk, a shadow across the page included)."""
    image = snap(seed, **overrides).image
    lab, ink, scale = workcopy.prepare(image)
    quad = detect_page(image).quad * scale
    assert across_fold(lab, ink, quad) == []
