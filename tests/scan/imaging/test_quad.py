"""Pure quad geometry, checked as properties over many random quads."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.scan.geometry import (
    apply_homography,
    homography,
    is_convex,
    order_quad,
    quad_area,
    quad_iou,
    rect_corners,
)

coord = st.floats(min_value=-50, max_value=50, allow_nan=False)


@st.composite
def convex_quads(draw) -> np.ndarray:
    """A rectangle seen in perspective: jittered corners of a box, clockwise from TL."""
    x0, y0 = draw(st.floats(0, 500)), draw(st.floats(0, 500))
    w, h = draw(st.floats(200, 800)), draw(st.floats(200, 800))
    base = np.array([[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h]])
    jitter = np.array([[draw(coord), draw(coord)] for _ in range(4)])
    return base + jitter


@given(convex_quads(), st.permutations(range(4)))
def test_order_quad_ignores_input_order(quad, perm):
    assert np.allclose(order_quad(quad[list(perm)]), order_quad(quad))


@given(convex_quads())
def test_ordered_quad_runs_clockwise_from_top_left(quad):
    q = order_quad(quad)
    assert is_convex(q)
    signed = np.sum(q[:, 0] * np.roll(q[:, 1], -1) - np.roll(q[:, 0], -1) * q[:, 1])
    assert signed > 0  # clockwise on screen (y down) is positive here
    assert np.argmin(q.sum(axis=1)) == 0


@given(convex_quads(), st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=8))
def test_perspective_round_trip(quad, unit_points):
    rect = rect_corners(1654, 2339)
    forward, back = homography(quad, rect), homography(rect, quad)
    assert np.allclose(apply_homography(forward, quad), rect, atol=1e-3)
    pts = np.array(unit_points) * [1654, 2339]
    assert np.allclose(apply_homography(forward, apply_homography(back, pts)), pts, atol=1e-3)


@settings(max_examples=50)
@given(convex_quads(), convex_quads())
def test_iou_is_symmetric_and_bounded(a, b):
    iou = quad_iou(a, b)
    assert 0.0 <= iou <= 1.0
    assert abs(iou - quad_iou(b, a)) < 1e-9
    assert quad_iou(a, a) > 0.999


@given(convex_quads(), st.floats(0.5, 0.99))
def test_iou_of_a_shrunk_copy_is_the_area_ratio(quad, factor):
    centre = quad.mean(axis=0)
    smaller = centre + (quad - centre) * factor
    assert abs(quad_iou(quad, smaller) - factor**2) < 1e-6


def test_iou_of_disjoint_and_of_non_convex_quads():
    a = rect_corners(100, 100)
    assert quad_iou(a, a + 500) == 0.0
    dented = np.array([[0, 0], [100, 0], [50, 40], [0, 100]], float)  # not convex: rasterised
    expected = quad_area(dented) / quad_area(a)
    assert abs(quad_iou(a, dented) - expected) < 0.02


def test_every_corner_order_of_a_square_gives_the_same_quad():
    square = rect_corners(10, 10)
    results = {tuple(order_quad(np.array(p)).ravel()) for p in itertools.permutations(square)}
    assert len(results) == 1
