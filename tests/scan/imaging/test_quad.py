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
    order_quads,
    quad_area,
    quad_iou,
    rect_corners,
    true_aspect,
    true_aspects,
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


def _seen(
    aspect: float, tilts: tuple[float, float], turn: float, focal: float, frame: tuple[int, int]
) -> np.ndarray:
    """A flat rectangle of ``aspect``, turned by ``turn`` in its plane and tilted about both
    axes (so neither pair of sides stays parallel), before a pinhole camera whose principal
    point is the frame's centre, as the capture shows it (TL TR BR BL)."""
    h, w = frame
    corners = np.array([[-aspect, -1, 0], [aspect, -1, 0], [aspect, 1, 0], [-aspect, 1, 0]]) / 2
    (ca, sa), (cb, sb), (cu, su) = ((np.cos(v), np.sin(v)) for v in (*tilts, turn))
    about_x = np.array([[1, 0, 0], [0, ca, -sa], [0, sa, ca]])
    about_y = np.array([[cb, 0, sb], [0, 1, 0], [-sb, 0, cb]])
    in_plane = np.array([[cu, -su, 0], [su, cu, 0], [0, 0, 1]])
    world = corners @ (about_x @ about_y @ in_plane).T + [0.05, -0.03, 1.6]
    return order_quad(focal * world[:, :2] / world[:, 2:] + [w / 2, h / 2])


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([297 / 210, 85.6 / 54]),
    st.tuples(st.floats(0.15, 0.5), st.floats(0.15, 0.5)),
    st.floats(-0.4, 0.4),
    st.floats(1500, 4000),
)
def test_true_aspect_undoes_perspective(aspect, tilts, turn, focal):
    """The paper's own proportions come back from a quad seen in perspective, whatever the
    camera's focal length (the rectangle constraint needs only the principal point)."""
    quad = _seen(aspect, tilts, turn, focal, (2448, 3264))
    assert abs(true_aspect(quad, (2448, 3264)) - aspect) < 1e-6


@given(st.lists(convex_quads(), min_size=1, max_size=12))
def test_many_quads_at_once_give_the_same_bits_as_one_at_a_time(quads):
    """The whole-page placement orders and measures a thousand quads in one call; one quad
    at a time (page size, proportions) must see exactly the same numbers."""
    batch = np.array(quads)
    assert np.array_equal(order_quads(batch), np.array([order_quad(q) for q in quads]))
    ordered = order_quads(batch)
    singles = np.array([true_aspect(q, (2448, 3264)) for q in ordered])
    assert np.array_equal(true_aspects(ordered, (2448, 3264)), singles)
