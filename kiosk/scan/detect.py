"""Page detection: where are the page's four corners in a capture?

Works on a copy downscaled to about 1000 px (a 12 MP frame has far more pixels than the
page outline needs) and maps the corners back. Several cheap candidate generators run
(edges per Lab channel → contours, bright-paper segmentation), because each fails on a
different desk: wood grain floods the edge map, a pale desk defeats a brightness
threshold, clutter touching the page joins its contour. Every candidate quad is then
refined by fitting a straight line to the strongest edge along each side (so a folded or
lifted corner is recovered by extending its sides) and scored by how much the colour
steps across its sides; a table frame printed on the page has a line but no step, the real
page edge has both. With no convincing candidate the page is taken to fill the frame when
paper reaches all round the frame's border ("frame"), else no page was found ("none").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .geometry import (
    is_convex,
    order_quad,
    place_far_side,
    quad_area,
    rect_corners,
    shown_share,
    sides,
    true_aspect,
)
from .resample import shrink

WORK_SIZE = 1000  # long side of the working copy
MIN_AREA = 0.03  # a page smaller than this share of the frame is not looked for
MIN_SCORE = 0.45  # below this no candidate is believed: the page fills the frame
BORDER_MARGIN = 0.01  # corners within this share of the size from the border touch it
SIDES = ("top", "right", "bottom", "left")


@dataclass
class Detection:
    quad: np.ndarray  # TL TR BR BL in capture pixels
    method: str  # which generator found it: edges, paper; frame (page fills it); none
    score: float  # 0..1, how strongly the colour steps across the sides
    touches: tuple[str, ...] = ()  # frame borders the page reaches
    timings_ms: dict[str, float] = field(default_factory=dict)
    # the whole A4 page when it runs out over one border (``whole_page``): corners beyond the
    # frame included; how its far side was placed ("seen": a stretch of it is in the frame,
    # "proportions": by the paper's size); the share of the page the frame shows (its area)
    whole: np.ndarray | None = None
    whole_fit: str = ""
    shown: float = 1.0
    beyond: float = 0.0  # share of its length or width beyond the frame, by the proportions shown
    spread: float = 0.0  # how far the far corners move, focal length or sides a little off (÷ diagonal)

    @property
    def fills_frame(self) -> bool:
        return self.method == "frame" or len(self.touches) == 4

    @property
    def placed(self) -> np.ndarray | None:
        """The whole page's corners, for a page more than a margin beyond the frame
        (``MAX_BEYOND``) whose outline is settled: placed corners that move less than
        ``MAX_SPREAD`` when the sides they hang on are fitted a little otherwise (``whole_page``)."""
        if self.whole is None or self.spread > MAX_SPREAD or self.beyond <= MAX_BEYOND:
            return None
        return self.whole


def _prepare(image: np.ndarray) -> tuple[np.ndarray, float]:
    """Small, text-free Lab copy: closing removes dark print so only the paper shape is left."""
    small, scale = shrink(image, WORK_SIZE)
    if small.ndim == 2:
        small = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
    k = max(3, round(max(small.shape[:2]) / 90)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    closed = cv2.medianBlur(closed, 5)
    lab = cv2.cvtColor(closed, cv2.COLOR_BGR2Lab).astype(np.float32)
    lab[..., 1:] = (lab[..., 1:] - 128) * 2.0  # chroma counts double: pale desks differ in hue
    return lab, scale


def _reduce_to_quad(poly: np.ndarray) -> np.ndarray | None:
    """Cut a convex polygon down to four sides, each time dropping the side whose removal
    (extending its neighbours to meet) adds the least area: a clipped corner comes back."""
    pts = [p.astype(np.float64) for p in poly.reshape(-1, 2)]
    while len(pts) > 4:
        n, best = len(pts), None
        for i in range(n):
            a0, a1, b0, b1 = pts[i - 1], pts[i], pts[(i + 1) % n], pts[(i + 2) % n]
            x = _intersect(a0, a1, b0, b1)
            if x is None or np.dot(x - a1, a1 - a0) < 0 or np.dot(x - b0, b0 - b1) < 0:
                continue
            added = quad_area(np.array([a1, x, b0]))
            if best is None or added < best[0]:
                best = (added, i, x)
        if best is None:
            return None
        _, i, x = best
        pts[i] = x
        del pts[(i + 1) % n]
    return np.array(pts) if len(pts) == 4 else None


def _intersect(a0, a1, b0, b1) -> np.ndarray | None:
    """Where line a0a1 meets line b0b1, or None when they are (nearly) parallel."""
    da, db = a1 - a0, b1 - b0
    den = da[0] * db[1] - da[1] * db[0]
    if abs(den) < 1e-9 * (np.dot(da, da) * np.dot(db, db)) ** 0.5 + 1e-12:
        return None
    t = ((b0[0] - a0[0]) * db[1] - (b0[1] - a0[1]) * db[0]) / den
    return a0 + t * da


def _candidates(lab: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Rough quads from edge contours and from a bright-paper mask."""
    h, w = lab.shape[:2]
    masks: list[tuple[str, np.ndarray]] = []
    edges = np.zeros((h, w), np.uint8)
    light = cv2.normalize(lab[..., 0], None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    # chroma keeps its absolute scale: stretching a grey scene's chroma would outline noise
    for chan in (light, *(np.clip(lab[..., c] + 128, 0, 255).astype(np.uint8) for c in (1, 2))):
        edges |= cv2.Canny(chan, 30, 90)
    masks.append(("edges", cv2.dilate(edges, np.ones((3, 3), np.uint8))))
    _, paper = cv2.threshold(light, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    masks.append(("paper", cv2.morphologyEx(paper, cv2.MORPH_OPEN, np.ones((7, 7), np.uint8))))
    block = (max(h, w) // 4) | 1
    local = cv2.adaptiveThreshold(light, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, -4)
    masks.append(("paper", cv2.morphologyEx(local, cv2.MORPH_OPEN, np.ones((9, 9), np.uint8))))
    out = []
    for name, mask in masks:
        contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        for cnt in sorted(contours, key=cv2.contourArea, reverse=True)[:6]:
            hull = cv2.convexHull(cnt)
            if cv2.contourArea(hull) < MIN_AREA * h * w:
                break
            poly = cv2.approxPolyDP(hull, 0.01 * cv2.arcLength(hull, True), True)
            quad = _reduce_to_quad(poly) if len(poly) >= 4 else None
            if quad is None:
                quad = cv2.boxPoints(cv2.minAreaRect(hull))
            out.append((name, order_quad(quad)))
    return out


def _side_samples(quad: np.ndarray, n: int, lo: float = 0.12, hi: float = 0.88):
    """Points along each side (away from corners) and the outward unit normal of each side."""
    t = np.linspace(lo, hi, n)[:, None]
    centre = quad.mean(axis=0)
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        d = (b - a) / max(np.linalg.norm(b - a), 1e-9)
        normal = np.array([d[1], -d[0]])
        if np.dot(normal, (a + b) / 2 - centre) < 0:
            normal = -normal
        yield a + t * (b - a), normal


def _sample(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Bilinear samples of a float image at (x, y) points of any leading shape."""
    shape = pts.shape[:-1]
    xy = pts.reshape(-1, 1, 2).astype(np.float32)
    vals = cv2.remap(img, xy[..., 0], xy[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return vals.reshape(*shape, *img.shape[2:])


def _refine(lab: np.ndarray, grad: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Fit each side to the strongest nearby edge, then intersect neighbouring sides."""
    h, w = lab.shape[:2]
    band = max(4, round(0.025 * max(h, w)))
    offsets = np.arange(-band, band + 1, dtype=np.float64)
    lines = []
    for pts, normal in _side_samples(quad, 48, 0.08, 0.92):
        if _on_border(pts[[0, -1]], w, h):  # the page runs out of the frame: keep the border
            lines.append((pts[0], pts[-1]))
            continue
        probe = pts[:, None, :] + offsets[None, :, None] * normal
        strength = _sample(grad, probe)
        best = probe[np.arange(len(pts)), strength.argmax(axis=1)]
        inside = (best[:, 0] > 1) & (best[:, 0] < w - 2) & (best[:, 1] > 1) & (best[:, 1] < h - 2)
        strong = strength.max(axis=1) > 0.5 * np.median(strength.max(axis=1))
        keep = best[inside & strong]
        if len(keep) < 8:
            lines.append((pts[0], pts[-1]))
            continue
        vx, vy, x0, y0 = cv2.fitLine(keep.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0]), np.array([x0 + vx, y0 + vy])))
    corners = [_intersect(*lines[i - 1], *lines[i]) for i in range(4)]
    if any(c is None for c in corners):
        return quad
    refined = order_quad(np.array(corners))
    limit = np.array([w, h]) * 0.05
    if np.any(refined < -limit) or np.any(refined > np.array([w, h]) + limit) or not is_convex(refined):
        return quad
    return np.clip(refined, 0, [w, h])


def _score(lab: np.ndarray, quad: np.ndarray) -> float:
    """Share of side points where the colour steps between just inside and just outside."""
    h, w = lab.shape[:2]
    if not is_convex(quad) or quad_area(quad) < MIN_AREA * h * w:
        return 0.0
    d = max(3.0, 0.012 * max(h, w))
    support, lighter = [], []
    for pts, normal in _side_samples(quad, 32):
        outer = pts + d * normal
        on_frame = (outer[:, 0] < 0) | (outer[:, 0] > w - 1) | (outer[:, 1] < 0) | (outer[:, 1] > h - 1)
        if on_frame.mean() > 0.5:
            support.append(0.5)  # the side lies on the frame border: neither for nor against
            continue
        keep = ~on_frame
        inner_v, outer_v = _sample(lab, pts - d * normal)[keep], _sample(lab, outer)[keep]
        deeper = _sample(lab, pts - 3 * d * normal)[keep]
        # a step across the side, and the same material continuing inward (paper, not a
        # strip of desk or an object lying against the page)
        step = np.linalg.norm(inner_v - outer_v, axis=1) > 12
        same = np.linalg.norm(inner_v - deeper, axis=1) < 0.5 * np.linalg.norm(inner_v - outer_v, axis=1)
        support.append(float(np.mean(step & same)))
        lighter.append(float(np.mean(inner_v[:, 0] - outer_v[:, 0])))
    if not lighter:
        return 0.0  # every side on the frame border: that is the frame, judged elsewhere
    area = quad_area(quad) / (h * w)
    score = float(np.mean(support) * min(1.0, (area / 0.3) ** 0.15))
    # paper is lighter than what surrounds it; a region darker inside is a shadow or an object
    return score * 0.3 if np.mean(lighter) < -5 else score


def _paper_border(lab: np.ndarray) -> bool:
    """Does paper (light, colourless) run all round the frame's edge, as when the page fills it?"""
    h, w = lab.shape[:2]
    m = max(2, round(0.02 * max(h, w)))
    strip = np.concatenate(
        [
            lab[:m].reshape(-1, 3),
            lab[-m:].reshape(-1, 3),
            lab[:, :m].reshape(-1, 3),
            lab[:, -m:].reshape(-1, 3),
        ]
    )
    light = strip[:, 0] >= max(100.0, 0.75 * float(np.percentile(lab[..., 0], 95)))
    grey = np.abs(strip[:, 1:]).max(axis=1) < 30
    return bool(np.mean(light & grey) > 0.7)


def _on_border(points: np.ndarray, w: int, h: int, tol: float = 3.0) -> bool:
    """Do all the points lie along one and the same frame border?"""
    x, y = points[:, 0], points[:, 1]
    return bool(np.all(x <= tol) or np.all(x >= w - 1 - tol) or np.all(y <= tol) or np.all(y >= h - 1 - tol))


def _touches(quad: np.ndarray, w: int, h: int) -> tuple[str, ...]:
    m = BORDER_MARGIN * max(w, h)
    hit = (quad[:, 1].min() <= m, quad[:, 0].max() >= w - m, quad[:, 1].max() >= h - m, quad[:, 0].min() <= m)
    return tuple(name for name, t in zip(SIDES, hit, strict=True) if t)


def detect_page(image: np.ndarray) -> Detection:
    """Find the page in a capture (BGR or gray); corners in capture pixels, TL TR BR BL."""
    h, w = image.shape[:2]
    lab, scale = _prepare(image)
    gx = cv2.Sobel(lab, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(lab, cv2.CV_32F, 0, 1, ksize=3)
    grad = np.sqrt((gx * gx + gy * gy).sum(axis=2))
    best: tuple[float, str, np.ndarray] | None = None
    for name, rough in _candidates(lab):
        quad = _refine(lab, grad, rough)  # the fitted sides are what gets scored and kept
        s = _score(lab, quad)
        if best is None or s > best[0] + 1e-6:
            best = (s, name, quad)
    sh, sw = lab.shape[:2]
    if best is None or best[0] < MIN_SCORE:
        method = "frame" if _paper_border(lab) else "none"
        return Detection(rect_corners(w, h), method, 0.0 if best is None else best[0], SIDES)
    score, name, quad = best
    full = np.clip(quad / scale, 0, [w, h])
    found = Detection(full, name, score, _touches(quad, sw, sh))
    found.beyond = beyond_share(quad, lab.shape) if found.touches else 0.0
    placed = whole_page(lab, quad) if found.touches else None
    if placed is not None:
        found.whole, found.whole_fit, found.shown, found.spread = placed[0] / scale, *placed[1:]
    return found


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
# more than a margin beyond the frame, by the proportions the frame shows (``beyond_share``):
# only such a page is placed whole. Within it, the page warped as far as it is shown read as
# well (eval #36: a receipt 2 % beyond, beside a dark object whose edge posed as the corner of
# its far side, was placed askew and read wrong by Tesseract at 92); see quality.MAX_BEYOND
MAX_BEYOND = 0.12
SEEN_END = 0.03  # a side whose last 3 % to the frame has no paper edge ended at a corner in the frame
SIDE_ASPECT = 0.05  # a whole page whose four sides were seen must show its paper's proportions this well


def beyond_share(quad: np.ndarray, frame_shape: tuple[int, ...], page: str = "a4") -> float:
    """Share of the page's length or width that lies beyond the frame, from the proportions
    of what the frame shows: a page cut across its length shows a squatter rectangle than its
    paper size, one cut across its width a slimmer one (``geometry.true_aspect``)."""
    w_mm, h_mm, _ = PAGE_SIZES[page]
    ratio = true_aspect(np.asarray(quad, dtype=np.float64), frame_shape) / (max(w_mm, h_mm) / min(w_mm, h_mm))
    return float(1 - min(ratio, 1 / ratio))


def _edge_support(
    lab: np.ndarray, a: np.ndarray, b: np.ndarray, inward: np.ndarray, n: int = 80
) -> np.ndarray:
    """Whether the colour steps across the line a→b at n points (paper on the ``inward`` side,
    the same material deeper in): as ``_score`` judges a side."""
    h, w = lab.shape[:2]
    d = max(3.0, 0.012 * max(h, w))
    pts = a + np.linspace(0.0, 1.0, n)[:, None] * (b - a)
    inner, outer, deeper = (_sample(lab, pts + k * d * inward) for k in (1.0, -1.0, 3.0))
    step = np.linalg.norm(inner - outer, axis=1)
    return (step > 12) & (np.linalg.norm(inner - deeper, axis=1) < 0.5 * step)


def _seen_end(support: np.ndarray) -> float:
    """Where along a side (0 at its corner in the frame, 1 at the frame's border) its paper
    edge ends: the last point with an edge that most of the five before it share; 1.0 when
    it runs on to within ``SEEN_END`` of the border."""
    run = np.convolve(support.astype(float), np.ones(5) / 5)[: len(support)]  # the five up to each point
    held = np.flatnonzero(support & (run >= 0.6))
    t = (held[-1] + 1) / len(support) if len(held) else 0.0
    return t if 1 - t > SEEN_END else 1.0


def whole_page(lab: np.ndarray, quad: np.ndarray) -> tuple[np.ndarray, str, float, float] | None:
    """(the whole A4 page's corners, how its far side was placed, the share of it shown, how
    loosely its far corners are placed as a share of its diagonal) for a
    page out of the frame over one border, on the working copy; None otherwise.

    The quad's side on the border is the frame's, not the paper's: the paper's three other
    sides are fitted lines, and a page turned in the frame shows a trapezoid of the paper, so
    stretching that quad to a page (or reading its proportions) is off by several per cent.
    When one of the two sides running to the border ends before it (its paper edge stops:
    the corner is in the frame, and the far side is seen from there to the border), the last
    corner is placed where the four show the paper's proportions; otherwise the far side is
    placed by the paper's proportions and an assumed focal length (``geometry.place_far_side``)."""
    h, w = lab.shape[:2]
    q = order_quad(quad)
    tol = BORDER_MARGIN * max(w, h)
    on_border = [_on_border(q[[i, (i + 1) % 4]], w, h, tol) for i in range(4)]
    if sum(on_border) != 1:
        return None
    o = (on_border.index(True) + 2) % 4  # the near side, seen whole, is opposite the border
    a, b, b_way, a_way = q[o], q[(o + 1) % 4], q[(o + 2) % 4], q[(o + 3) % 4]
    centre = q.mean(axis=0)
    short, long = sorted(PAGE_SIZES["a4"][:2])
    ends = []
    for corner, way in ((a, a_way), (b, b_way)):
        inward = centre - (corner + way) / 2
        d = (way - corner) / np.linalg.norm(way - corner)
        inward = inward - (inward @ d) * d
        ends.append(_seen_end(_edge_support(lab, corner, way, inward / np.linalg.norm(inward))))
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
        far, ratio = _placed_by_proportions(a, b, a_way, b_way, lab.shape, FOCAL_PER_DIAGONAL)
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
    sliver = _sample(lab, ((corner + border_end + exit_point) / 3)[None])[0]
    paper = _sample(lab, (corner + 0.15 * (centre - corner))[None])[0]
    return float(np.linalg.norm(sliver - paper)) > 12


def _edge_to_frame(lab: np.ndarray, corner: np.ndarray, far: np.ndarray, centre: np.ndarray) -> bool:
    """Is the far side seen as a paper edge from ``corner`` to the frame's border? A side's
    edge that fades before the border (a shadow, the desk's own edge) is no corner."""
    end = _frame_exit(corner, far, lab.shape)
    d = (end - corner) / max(float(np.linalg.norm(end - corner)), 1e-9)
    inward = centre - corner
    inward = inward - (inward @ d) * d
    support = _edge_support(lab, corner, end, inward / max(float(np.linalg.norm(inward)), 1e-9), 20)
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
    best = None
    for t in np.arange(1.0, 3.0, 0.002):
        far = other + t * (other_way - other)
        ratio = true_aspect(order_quad(np.array([a, b, far, corner])), shape)
        err = abs(ratio / aspect - 1)
        if best is None or err < best[0]:
            best = (err, far)
    return best[1] if best is not None and best[0] < SIDE_ASPECT else None


def _placed_by_proportions(
    a: np.ndarray, b: np.ndarray, a_way: np.ndarray, b_way: np.ndarray, shape: tuple[int, ...], focal: float
) -> tuple[np.ndarray, float]:
    """(the far corners after ``a`` and after ``b``, the far sides' length ÷ the near side's)
    of an A4 page seen by a camera of ``focal`` page diagonals: the near side is the long one
    unless more of the page than its short side is shown (less of the page beyond the frame)."""
    short, long = sorted(PAGE_SIZES["a4"][:2])
    diag = float(np.linalg.norm(a_way - a) + np.linalg.norm(b_way - b)) / 2  # a first guess
    ratio = long / short
    for _ in range(3):  # the focal length follows the whole page's diagonal
        _, _, reach = place_far_side(a, b, a_way, b_way, shape, focal * diag, long / short)
        ratio = long / short if reach > short / long else short / long
        far_a, far_b, _ = place_far_side(a, b, a_way, b_way, shape, focal * diag, ratio)
        diag = _diagonal(np.array([a, b, far_b, far_a]))
    return np.array([far_a, far_b]), ratio


# Physical page sizes (width, height in mm, both portrait-first) and the DPI each is
# rectified to: 200 dpi keeps 10.5 pt Chinese print at ~29 px per character, plenty for OCR
# while an A4 page stays 1654×2339; an ID card's small print needs 300 dpi.
PAGE_SIZES: dict[str, tuple[float, float, int]] = {
    "a4": (210.0, 297.0, 200),
    "id_card": (54.0, 85.6, 300),
}


def page_pixels(page: str, dpi: int | None = None) -> tuple[int, int]:
    """Portrait (width, height) in pixels of a named page size at its (or the given) DPI."""
    w_mm, h_mm, default_dpi = PAGE_SIZES[page]
    d = dpi or default_dpi
    return round(w_mm / 25.4 * d), round(h_mm / 25.4 * d)


# Page sizes whose outline is measured well enough to warp only the part the frame shows at
# its true scale: an ID card fills a small part of the frame, so a few pixels of its outline
# move its proportions by a tenth or more; a card is always warped whole.
TRUE_SCALE = frozenset({"a4"})


def shown_mm(quad: np.ndarray, frame_shape: tuple[int, ...], page: str = "a4") -> tuple[float, float] | None:
    """(across, down) in mm of the part of the page the frame shows, when the page runs out
    of the frame over one border: the quad's side on that border is the frame's, not the
    paper's, so that dimension is short, and the other is a whole side of the paper. Its
    length is the whole side times the proportions the quad shows (``geometry.true_aspect``);
    the whole side is the long one when that leaves the cut one no longer than the paper's
    short side (less of the page beyond the frame), else the short one. None when the page
    is shown whole or the part cannot be measured (out over two borders, less than
    ``MIN_SHOWN`` of it shown, a card)."""
    h, w = frame_shape[:2]
    q = order_quad(quad)
    tol = BORDER_MARGIN * max(w, h)
    on_border = [_on_border(q[[i, (i + 1) % 4]], w, h, tol) for i in range(4)]  # top, right, bottom, left
    down_cut, across_cut = on_border[0] or on_border[2], on_border[1] or on_border[3]
    if down_cut == across_cut or page not in TRUE_SCALE:
        return None
    across, down = sides(q)
    seen, cut = (across, down) if down_cut else (down, across)
    ratio = true_aspect(q, frame_shape)
    k = ratio if cut > seen else 1 / ratio  # cut ÷ whole side, on the paper
    short, long = sorted(PAGE_SIZES[page][:2])
    whole = long if k * long <= short else short
    side = short + long - whole  # the cut dimension's whole length
    part = min(k * whole, side)  # the outline's proportions are measured, and may overshoot
    if part / side < MIN_SHOWN:
        return None
    return (whole, part) if down_cut else (part, whole)


def page_homography(
    quad: np.ndarray, page: str = "a4", dpi: int | None = None, shown: tuple[float, float] | None = None
) -> tuple[np.ndarray, tuple[int, int], float]:
    """(matrix from capture pixels to the flat page, page (width, height), smoothing sigma).

    The page keeps the shape it shows in the capture (portrait or landscape); turning it
    upright is the orientation stage's job. ``shown`` (``shown_mm``, across and down): the
    part the frame shows is warped at the page's true scale, not stretched to a whole page.
    The sigma is non-zero when the warp reduces the capture strongly, so the warp does not
    alias.
    """
    q = order_quad(quad)
    across, down = sides(q)
    pw, ph = page_pixels(page, dpi)
    if (across > down) != (pw > ph):
        pw, ph = ph, pw
    if shown is not None:
        d = dpi or PAGE_SIZES[page][2]
        pw, ph = round(shown[0] / 25.4 * d), round(shown[1] / 25.4 * d)
    hmat = cv2.getPerspectiveTransform(q.astype(np.float32), rect_corners(pw, ph).astype(np.float32))
    reduction = min(across / pw, down / ph)
    return hmat, (pw, ph), 0.4 * reduction if reduction > 1.6 else 0.0


def page_warp(
    found: Detection, frame_shape: tuple[int, ...], page: str = "a4"
) -> tuple[np.ndarray, tuple[int, int], float]:
    """``page_homography`` for a detected page, as the pipeline warps it. A page out over one
    border whose whole outline was placed (``Detection.placed``) is warped whole at its size:
    the part beyond the frame comes out filled from the frame's edge (paper, unless print
    runs out there, and then the gate refuses it). Otherwise a page out over one border is
    warped as far as it is shown (``shown_mm``), and any other page whole."""
    if found.placed is not None and page in TRUE_SCALE:
        return page_homography(found.placed, page)
    shown = None if found.fills_frame else shown_mm(found.quad, frame_shape, page)
    return page_homography(found.quad, page, shown=shown)


def rectify(image: np.ndarray, quad: np.ndarray, page: str = "a4", dpi: int | None = None) -> np.ndarray:
    """Warp the quad to a flat page of the named size, once, at full resolution.

    The pipeline does not call this: ``orient.orient_warp`` composes the same matrix with
    the turn and deskew into its single warp.
    """
    hmat, (pw, ph), smooth = page_homography(quad, page, dpi)
    src = cv2.GaussianBlur(image, (0, 0), smooth) if smooth > 0 else image
    return cv2.warpPerspective(src, hmat, (pw, ph), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
