"""Page detection: where are the page's four corners in a capture?

Works on a copy downscaled to about 1000 px (a 12 MP frame has far more pixels than the
page outline needs) and maps the corners back. Several cheap candidate generators run
(edges per Lab channel → contours, bright-paper segmentation), because each fails on a
different desk: wood grain floods the edge map, a pale desk defeats a brightness
threshold, clutter touching the page joins its contour. Every candidate quad is then
refined by fitting a straight line to the strongest edge along each side (so a folded or
lifted corner is recovered by extending its sides) and scored by how much the colour
steps across its sides; a table frame printed on the page has a line but no step, the real
page edge has both. A side of the best outline that print runs through is a fold, not an
edge: the outline is grown across it (``fold.py``). With no convincing candidate the page
is taken to fill the frame when paper reaches all round the frame's border ("frame"), else
no page was found ("none").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .fold import HOLDS, across_fold, covers
from .geometry import (
    is_convex,
    order_quad,
    quad_area,
    rect_corners,
    sides,
    true_aspect,
)
from .outline import BORDER_MARGIN, on_border, paper_edge, probe_distance, sample, sides_on_border
from .whole_page import MAX_SPREAD, MIN_SHOWN, whole_page
from .workcopy import gradient, prepare

MIN_AREA = 0.03  # a page smaller than this share of the frame is not looked for
MIN_SCORE = 0.45  # below this no candidate is believed: the page fills the frame
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
    # (OpenCV's saturating add: a third of numpy's clip and cast, the same whole numbers)
    for chan in (light, *(cv2.add(lab[..., c], 128.0, dtype=cv2.CV_8U) for c in (1, 2))):
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


def _refine(lab: np.ndarray, grad: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Fit each side to the strongest nearby edge, then intersect neighbouring sides."""
    h, w = lab.shape[:2]
    band = max(4, round(0.025 * max(h, w)))
    offsets = np.arange(-band, band + 1, dtype=np.float64)
    lines = []
    for pts, normal in _side_samples(quad, 48, 0.08, 0.92):
        if on_border(pts[[0, -1]], w, h):  # the page runs out of the frame: keep the border
            lines.append((pts[0], pts[-1]))
            continue
        probe = pts[:, None, :] + offsets[None, :, None] * normal
        strength = sample(grad, probe)
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
    d = probe_distance(lab.shape)
    support, lighter = [], []
    for pts, normal in _side_samples(quad, 32):
        outer = pts + d * normal
        on_frame = (outer[:, 0] < 0) | (outer[:, 0] > w - 1) | (outer[:, 1] < 0) | (outer[:, 1] > h - 1)
        if on_frame.mean() > 0.5:
            support.append(0.5)  # the side lies on the frame border: neither for nor against
            continue
        keep = ~on_frame
        inner_v, outer_v = sample(lab, pts - d * normal)[keep], sample(lab, outer)[keep]
        deeper = sample(lab, pts - 3 * d * normal)[keep]
        support.append(float(np.mean(paper_edge(inner_v, outer_v, deeper))))
        lighter.append(float(np.mean(inner_v[:, 0] - outer_v[:, 0])))
    if not lighter:
        return 0.0  # every side on the frame border: that is the frame, judged elsewhere
    area = quad_area(quad) / (h * w)
    score = float(np.mean(support) * min(1.0, (area / 0.3) ** 0.15))
    # paper is lighter than what surrounds it; a region darker inside is a shadow or an object
    return score * 0.3 if np.mean(lighter) < -5 else score


def _across_fold(
    lab: np.ndarray, grad: np.ndarray, ink: np.ndarray, score: float, quad: np.ndarray
) -> tuple[float, np.ndarray]:
    """The page across a fold the chosen outline stops at (``fold.across_fold``), when its
    fitted outline is believed and holds the chosen one: a creased page's darker part steps
    only weakly to the desk, so it scores below the bright part alone, yet it is the page."""
    held: list[tuple[float, np.ndarray]] = []
    for grown in across_fold(lab, ink, quad):
        wide = _refine(lab, grad, grown)
        s = _score(lab, wide)
        if s >= MIN_SCORE and covers(wide, quad) >= HOLDS:
            held.append((s, wide))
    return max(held, key=lambda sq: sq[0]) if held else (score, quad)


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


def _touches(quad: np.ndarray, w: int, h: int) -> tuple[str, ...]:
    m = BORDER_MARGIN * max(w, h)
    hit = (quad[:, 1].min() <= m, quad[:, 0].max() >= w - m, quad[:, 1].max() >= h - m, quad[:, 0].min() <= m)
    return tuple(name for name, t in zip(SIDES, hit, strict=True) if t)


def detect_page(image: np.ndarray) -> Detection:
    """Find the page in a capture (BGR or gray); corners in capture pixels, TL TR BR BL."""
    h, w = image.shape[:2]
    lab, ink, scale = prepare(image)
    grad = gradient(lab)
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
    score, quad = _across_fold(lab, grad, ink, score, quad)
    full = np.clip(quad / scale, 0, [w, h])
    found = Detection(full, name, score, _touches(quad, sw, sh))
    found.beyond = beyond_share(quad, lab.shape) if found.touches else 0.0
    placed = whole_page(lab, quad, PAGE_SIZES["a4"][:2]) if found.touches else None
    if placed is not None:
        found.whole, found.whole_fit, found.shown, found.spread = placed[0] / scale, *placed[1:]
    return found


# more than a margin beyond the frame, by the proportions the frame shows (``beyond_share``):
# only such a page is placed whole. Within it, the page warped as far as it is shown read as
# well (eval #36: a receipt 2 % beyond, beside a dark object whose edge posed as the corner of
# its far side, was placed askew and read wrong by Tesseract at 92); see quality.MAX_BEYOND
MAX_BEYOND = 0.12


def beyond_share(quad: np.ndarray, frame_shape: tuple[int, ...], page: str = "a4") -> float:
    """Share of the page's length or width that lies beyond the frame, from the proportions
    of what the frame shows: a page cut across its length shows a squatter rectangle than its
    paper size, one cut across its width a slimmer one (``geometry.true_aspect``)."""
    w_mm, h_mm, _ = PAGE_SIZES[page]
    ratio = true_aspect(np.asarray(quad, dtype=np.float64), frame_shape) / (max(w_mm, h_mm) / min(w_mm, h_mm))
    return float(1 - min(ratio, 1 / ratio))


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
    q = order_quad(quad)
    on_border = sides_on_border(q, frame_shape)  # top, right, bottom, left
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
