"""A page that runs out of the frame over one border, placed whole from what the frame shows.

The detected quad's side on the border is the frame's, not the paper's: the paper's three
other sides are fitted lines, and a page turned in the frame shows a trapezoid of the paper,
so stretching that quad to a page (or reading its proportions) is off by several per cent.
``whole_page`` places the missing corners from the three visible sides and the paper's
proportions, and says how loosely they are placed; ``detect.Detection.placed`` decides
whether the pipeline may warp the page whole (``detect.page_warp``).
"""

from __future__ import annotations

import numpy as np

from .geometry import is_convex, order_quad, order_quads, place_far_side, shown_share, true_aspects
from .outline import inward_normal, paper_edge, probe_distance, sample, sides_on_border

# The camera's focal length, in the page's diagonals as the capture shows it: a document camera
# close above the desk (the generator's, ``synth.camera``, stands 1.3 page diagonals above it;
# the focal lengths estimated from its whole pages were 1.26–1.32). A page out of the frame over
# one border shows three sides, which with the paper's proportions leave only the focal length
# unknown. A real kiosk's camera would be calibrated once instead. ``LOOSE_FOCAL``: the far side
# is placed again for a focal length this much shorter and longer; how far its corners move
# says how well the three sides settle them (near-parallel sides leave them loose).
FOCAL_PER_DIAGONAL = 1.3
LOOSE_FOCAL = 0.15
LOOSE_TURN = 0.3  # degrees: … and for sides turned this much apart (a line fitted over ~100 px)
# far corners that move more than this share of the diagonal are not settled: on synthetic A4
# pages turned in the frame (tests/scan/imaging/test_whole_page.py) the corners placed within
# 1.5 % of the truth all moved ≤ 4.2 %; those off by 2.6–11 % moved 6–33 %
MAX_SPREAD = 0.05
MIN_SHOWN = 0.5  # a page less than half shown is not placed: what it shows says too little
SEEN_END = 0.03  # a side whose last 3 % to the frame has no paper edge ended at a corner in the frame
SIDE_ASPECT = 0.05  # a whole page whose four sides were seen must show its paper's proportions this well


def _edge_support(
    lab: np.ndarray, a: np.ndarray, b: np.ndarray, inward: np.ndarray, n: int = 80
) -> np.ndarray:
    """Whether the colour steps across the line a→b at n points (paper on the ``inward`` side,
    the same material deeper in): as ``_score`` judges a side."""
    d = probe_distance(lab.shape)
    pts = a + np.linspace(0.0, 1.0, n)[:, None] * (b - a)
    inner, outer, deeper = (sample(lab, pts + k * d * inward) for k in (1.0, -1.0, 3.0))
    return paper_edge(inner, outer, deeper)


def _seen_end(support: np.ndarray) -> float:
    """Where along a side (0 at its corner in the frame, 1 at the frame's border) its paper
    edge ends: the last point with an edge that most of the five before it share; 1.0 when
    it runs on to within ``SEEN_END`` of the border."""
    run = np.convolve(support.astype(float), np.ones(5) / 5)[: len(support)]  # the five up to each point
    held = np.flatnonzero(support & (run >= 0.6))
    t = (held[-1] + 1) / len(support) if len(held) else 0.0
    return t if 1 - t > SEEN_END else 1.0


def whole_page(
    lab: np.ndarray, quad: np.ndarray, paper: tuple[float, float]
) -> tuple[np.ndarray, str, float, float] | None:
    """(the whole A4 page's corners, how its far side was placed, the share of it shown, how
    loosely its far corners are placed as a share of its diagonal) for a
    page out of the frame over one border, on the working copy; None otherwise.

    The quad's side on the border is the frame's, not the paper's: the paper's three other
    sides are fitted lines, and a page turned in the frame shows a trapezoid of the paper, so
    stretching that quad to a page (or reading its proportions) is off by several per cent.
    When one of the two sides running to the border ends before it (its paper edge stops:
    the corner is in the frame, and the far side is seen from there to the border), the last
    corner is placed where the four show the paper's proportions; otherwise the far side is
    placed by the paper's proportions (``paper``: its two sides in mm) and an assumed focal
    length (``geometry.place_far_side``)."""
    q = order_quad(quad)
    on_border = sides_on_border(q, lab.shape)
    if sum(on_border) != 1:
        return None
    o = (on_border.index(True) + 2) % 4  # the near side, seen whole, is opposite the border
    a, b, b_way, a_way = q[o], q[(o + 1) % 4], q[(o + 2) % 4], q[(o + 3) % 4]
    centre = q.mean(axis=0)
    short, long = sorted(paper)
    ends = [
        _seen_end(_edge_support(lab, c, way, inward_normal(c, way, centre)))
        for c, way in ((a, a_way), (b, b_way))
    ]
    if min(ends) < 1.0:  # a corner in the frame: the far side is seen from it to the border
        if max(ends) < 1.0:
            return None  # both far corners in the frame: not a page out of it
        seen_a = ends[0] < 1.0
        corner = (a + ends[0] * (a_way - a)) if seen_a else (b + ends[1] * (b_way - b))
        other, other_way = (b, b_way) if seen_a else (a, a_way)
        far = _far_corner_by_proportions(corner, other, other_way, a, b, lab.shape, long / short)
        if far is None:
            return None
        whole = order_quad(np.array([a, b, far, corner]))
        way_of_corner = a_way if seen_a else b_way  # where the side through the corner meets the border
        if not is_convex(whole) or not _edge_to_frame(lab, corner, far, centre):
            return None
        if not _desk_beyond(lab, corner, way_of_corner, far, centre):
            return None
        spread = 0.0
        for turn in (LOOSE_TURN, -LOOSE_TURN):  # the side it lies on, fitted a little askew
            askew = _turned(other_way, other, turn)
            moved = _far_corner_by_proportions(corner, other, askew, a, b, lab.shape, long / short)
            spread = max(
                spread, np.inf if moved is None else float(np.linalg.norm(moved - far)) / _diagonal(whole)
            )
        how = "seen"
    else:
        far, ratio = _placed_by_proportions(a, b, a_way, b_way, lab.shape, FOCAL_PER_DIAGONAL, long / short)
        whole = order_quad(np.array([a, b, far[1], far[0]]))
        if not is_convex(whole):
            return None
        diag = _diagonal(whole)
        spread = 0.0
        loose = (
            (1 - LOOSE_FOCAL, 0, 0),
            (1 + LOOSE_FOCAL, 0, 0),
            (1, LOOSE_TURN, -LOOSE_TURN),
            (1, -LOOSE_TURN, LOOSE_TURN),
        )
        for k, turn_a, turn_b in loose:  # another focal length; the sides fitted a little askew
            other = place_far_side(
                a, b, _turned(a_way, a, turn_a), _turned(b_way, b, turn_b), lab.shape,
                k * FOCAL_PER_DIAGONAL * diag, ratio,
            )[:2]  # fmt: skip
            spread = max(spread, float(np.linalg.norm(np.array(other) - far, axis=1).max()) / diag)
        how = "proportions"
    shown = shown_share(whole, lab.shape)
    return (whole, how, shown, spread) if shown >= MIN_SHOWN else None


def _desk_beyond(
    lab: np.ndarray, corner: np.ndarray, border_end: np.ndarray, far: np.ndarray, centre: np.ndarray
) -> bool:
    """Is the sliver between a corner seen in the frame, the point where its side's line
    meets the border and the far side desk, not paper? The detected quad runs on to the
    border along the side's line; past a real corner that sliver is desk, while a side whose
    edge only fades (an object lying against the page, eval #36) has paper there."""
    exit_point = _frame_exit(corner, far, lab.shape)
    sliver = sample(lab, ((corner + border_end + exit_point) / 3)[None])[0]
    paper = sample(lab, (corner + 0.15 * (centre - corner))[None])[0]
    return float(np.linalg.norm(sliver - paper)) > 12


def _edge_to_frame(lab: np.ndarray, corner: np.ndarray, far: np.ndarray, centre: np.ndarray) -> bool:
    """Is the far side seen as a paper edge from ``corner`` to the frame's border? A side's
    edge that fades before the border (a shadow, the desk's own edge) is no corner."""
    end = _frame_exit(corner, far, lab.shape)
    support = _edge_support(lab, corner, end, inward_normal(corner, end, centre), 20)
    return float(support.mean()) >= 0.5


def _frame_exit(p: np.ndarray, q: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The last point of segment p→q (p in the frame) that is still in the frame."""
    h, w = shape[:2]
    pts = p + np.linspace(0.0, 1.0, 200)[:, None] * (q - p)
    inside = (pts[:, 0] >= 0) & (pts[:, 0] <= w - 1) & (pts[:, 1] >= 0) & (pts[:, 1] <= h - 1)
    return pts[inside][-1]


def _diagonal(q: np.ndarray) -> float:
    """Mean of a quad's two diagonals."""
    return float(np.linalg.norm(q[2] - q[0]) + np.linalg.norm(q[3] - q[1])) / 2


def _turned(p: np.ndarray, about: np.ndarray, degrees: float) -> np.ndarray:
    """``p`` turned about ``about`` by ``degrees``."""
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    d = p - about
    return about + np.array([c * d[0] - s * d[1], s * d[0] + c * d[1]])


def _far_corner_by_proportions(
    corner: np.ndarray,
    other: np.ndarray,
    other_way: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    shape: tuple[int, ...],
    aspect: float,
) -> np.ndarray | None:
    """The page's last corner, beyond the frame on the line ``other``→``other_way``, when its
    other three (``a``, ``b`` and ``corner``) are seen: where the four show the paper's
    proportions (``geometry.true_aspect``). The far side is seen only from ``corner`` to the
    border, often a few pixels: too short to fit its direction."""
    fars = other + np.arange(1.0, 3.0, 0.002)[:, None] * (other_way - other)
    quads = np.stack([np.broadcast_to(a, fars.shape), np.broadcast_to(b, fars.shape), fars,
                      np.broadcast_to(corner, fars.shape)], axis=1)  # fmt: skip
    err = np.abs(true_aspects(order_quads(quads), shape) / aspect - 1)
    best = int(np.argmin(err))  # the first of equals, as a scan from the near end finds it
    return fars[best] if err[best] < SIDE_ASPECT else None


def _placed_by_proportions(
    a: np.ndarray,
    b: np.ndarray,
    a_way: np.ndarray,
    b_way: np.ndarray,
    shape: tuple[int, ...],
    focal: float,
    aspect: float,
) -> tuple[np.ndarray, float]:
    """(the far corners after ``a`` and after ``b``, the far sides' length ÷ the near side's)
    of a page of proportions ``aspect`` (long ÷ short side) seen by a camera of ``focal`` page
    diagonals: the near side is the long one unless more of the page than its short side is
    shown (less of the page beyond the frame)."""
    diag = float(np.linalg.norm(a_way - a) + np.linalg.norm(b_way - b)) / 2  # a first guess
    ratio = aspect
    for _ in range(3):  # the focal length follows the whole page's diagonal
        _, _, reach = place_far_side(a, b, a_way, b_way, shape, focal * diag, aspect)
        ratio = aspect if reach > 1 / aspect else 1 / aspect
        far_a, far_b, _ = place_far_side(a, b, a_way, b_way, shape, focal * diag, ratio)
        diag = _diagonal(np.array([a, b, far_b, far_a]))
    return np.array([far_a, far_b]), ratio
