"""A fold's shadow is not the page's edge (issue 13).

A page creased across and lit from one side shows a bright part and a darker part; the
step between them is a colour step with paper inside, just like a page edge, and the
bright part alone often scores better than the whole page, whose darker part steps only
weakly to the desk. What tells the crease from an edge is what lies across it: print runs
on through a fold (a table's rules, a line of text) into paper of the same colour, while
nothing is printed past a page's edge. So a side of the chosen outline with print
crossing it is moved out to the farthest colour step beyond that keeps what it adds paper
(the far part's edge), and the larger outline is kept when detection believes it.
"""

from __future__ import annotations

import cv2
import numpy as np

from .geometry import is_convex, quad_area, quad_iou
from .outline import STEP, inward_normal, on_border, probe_distance, sample

INK = 0.8  # print: darker than this share of the paper around it (the print-free copy)
MIN_CROSSINGS = 3  # strokes running on through a side that make it a fold, not an edge
MIN_GROWTH = 1.15  # the outline across the fold is at least this much larger
PAPER_SHARE = 0.9  # share of the far side's margin that must be paper-coloured
MOSTLY = 0.6  # share of the part beyond the fold that must be paper-coloured
REACH = (0.1, 2.0)  # how far beyond the fold its far side may lie (÷ the adjacent side's length)
GRID = 32  # far sides tried per adjacent side
FAR_STRENGTH = 0.5  # a step this share of the strongest beyond the fold may be the far edge
HOLDS = 0.95  # share of the chosen outline the fitted outline across its fold must cover


def print_mask(small: np.ndarray, closed: np.ndarray) -> np.ndarray:
    """Where print lies on the working copy: darker than ``INK`` of the print-free copy (the
    closing removed dark strokes, so it is the local paper level), thickened by a pixel so
    a thin rule stays connected."""
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32)
    level = cv2.cvtColor(closed, cv2.COLOR_BGR2GRAY).astype(np.float32)
    ink = (gray < INK * level).astype(np.uint8)
    return cv2.dilate(ink, np.ones((3, 3), np.uint8)).astype(np.float32)


def crossings(ink: np.ndarray, a: np.ndarray, b: np.ndarray, normal: np.ndarray, reach: float) -> int:
    """How many strokes of print run through the segment ab from ``reach`` inside it to
    ``reach`` beyond: a connected path of print, drifting at most a pixel sideways per pixel
    across (slanted strokes included), from both ends to the segment."""
    length = float(np.linalg.norm(b - a))
    t = np.linspace(0.05, 0.95, max(8, round(0.9 * length)))[:, None]
    offsets = np.arange(-round(reach), round(reach) + 1, dtype=np.float64)
    pts = (a + t * (b - a))[:, None, :] + offsets[None, :, None] * normal
    on = sample(ink, pts) > 0.5  # along × across
    mid = len(offsets) // 2

    def reached(cols: np.ndarray) -> np.ndarray:
        live = on[:, cols[0]]
        for c in cols[1:]:
            live = on[:, c] & np.convolve(live, np.ones(3), mode="same").astype(bool)
        return live

    through = reached(np.arange(mid + 1)) & reached(np.arange(len(offsets) - 1, mid - 1, -1))
    return int(np.count_nonzero(np.diff(through.astype(np.int8), prepend=0) == 1))


def covers(outer: np.ndarray, inner: np.ndarray) -> float:
    """Share of ``inner``'s area that ``outer`` covers (the fitted sides of a bowed page's
    grown outline are chords of its sagging edges, so they may cut a sliver off)."""
    iou = quad_iou(outer, inner)
    a, b = quad_area(outer), quad_area(inner)
    return iou * (a + b) / (1 + iou) / max(b, 1e-9)


def _far_sides(lab: np.ndarray, quad: np.ndarray, i: int) -> list[np.ndarray]:
    """The outline with side ``i`` moved out along its neighbours' lines to each strong peak
    of colour step beyond it with the same material inside (``paper_edge``'s test, as a
    strength; strong: ``FAR_STRENGTH`` of the strongest), the farthest first: the far part's
    edge may step less than a photo or a dark block printed on that part, or a shadow on the
    desk beyond it (which ``_paper_between`` tells apart)."""
    h, w = lab.shape[:2]
    d = probe_distance(lab.shape)
    p, q = quad[i], quad[(i + 1) % 4]
    dp, dq = p - quad[i - 1], q - quad[(i + 2) % 4]  # the neighbours, continued past the fold
    ts = np.linspace(*REACH, GRID)
    frame = np.array([w, h])
    ends_p, ends_q = p + ts[:, None] * dp, q + ts[:, None] * dq
    in_p = np.all((ends_p > -0.05 * frame) & (ends_p < 1.05 * frame), axis=1)  # as far as _refine allows
    in_q = np.all((ends_q > -0.05 * frame) & (ends_q < 1.05 * frame), axis=1)
    tp, tq, ends_p, ends_q = ts[in_p], ts[in_q], ends_p[in_p], ends_q[in_q]
    if not len(ends_p) or not len(ends_q):
        return []
    s = np.linspace(0.12, 0.88, 24)[None, None, :, None]
    a, b = ends_p[:, None, None, :], ends_q[None, :, None, :]
    pts = a + s * (b - a)  # p-end × q-end × along × xy
    direction = b - a
    normal = np.stack([direction[..., 1], -direction[..., 0]], axis=-1)
    normal /= np.maximum(np.linalg.norm(normal, axis=-1, keepdims=True), 1e-9)
    away = (p + q) / 2 - quad.mean(axis=0)  # the far side faces the way the fold does
    normal *= np.where(np.sum(normal * away, axis=-1, keepdims=True) < 0, -1.0, 1.0)
    inner, outer, deeper = (sample(lab, pts + k * d * normal) for k in (-1, 1, -3))
    step = np.linalg.norm(inner - outer, axis=-1)
    same = np.linalg.norm(inner - deeper, axis=-1) < 0.5 * step
    strength = (step * same).mean(axis=-1).astype(np.float32)
    peak = strength >= cv2.dilate(strength, np.ones((3, 3), np.uint8))
    ip, iq = np.nonzero(peak & (strength > 0) & (strength >= FAR_STRENGTH * strength.max()))
    out = []
    for k in np.argsort(-(tp[ip] + tq[iq]), kind="stable"):
        grown = quad.copy()
        grown[i], grown[(i + 1) % 4] = ends_p[ip[k]], ends_q[iq[k]]
        out.append(grown)
    return out


def _paper_between(lab: np.ndarray, quad: np.ndarray, grown: np.ndarray, i: int) -> bool:
    """Is the part the grown outline adds paper: mostly of the chroma just beyond the fold,
    and so along its far side (a page's margin), not desk? A photo or a seal on the far part
    may take up some of it. Lightness is not compared: a bowed page shades across, and a
    shadow cast on it steps as sharply as an edge."""
    d = probe_distance(lab.shape)
    p, q = quad[i], quad[(i + 1) % 4]
    fp, fq = grown[i], grown[(i + 1) % 4]
    u = np.linspace(0.1, 0.9, 12)[:, None, None]  # along the fold
    v = np.linspace(0, 1, 12)[None, :, None]  # from the fold to the far side
    near, far = p + u * (q - p), fp + u * (fq - fp)
    across = far - near
    gap = np.linalg.norm(across, axis=-1, keepdims=True)
    start = near + across * np.minimum(2 * d / np.maximum(gap, 1e-9), 0.5)  # past the crease
    end = far - across * np.minimum(2 * d / np.maximum(gap, 1e-9), 0.5)  # short of the far edge
    grid = sample(lab, start + v * (end - start))
    ref = np.median(grid[:, 0], axis=0)  # just beyond the fold
    paper = np.linalg.norm(grid[..., 1:] - ref[1:], axis=-1) < STEP / 2
    return bool(np.mean(paper) >= MOSTLY and np.mean(paper[:, -1]) >= PAPER_SHARE)


def _grown_over_paper(lab: np.ndarray, quad: np.ndarray, grown: np.ndarray, i: int) -> bool:
    """A real outline, a good deal larger, that adds paper (``_paper_between``)."""
    big = quad_area(grown) >= MIN_GROWTH * quad_area(quad)
    return is_convex(grown) and big and _paper_between(lab, quad, grown, i)


def across_fold(lab: np.ndarray, ink: np.ndarray, quad: np.ndarray) -> list[np.ndarray]:
    """Outlines grown across each side of ``quad`` that is a fold: print runs through it
    (``MIN_CROSSINGS`` strokes) and paper lies beyond, up to the farthest colour step that
    keeps it paper. Rough outlines, to be refined and scored like any candidate."""
    h, w = lab.shape[:2]
    d = probe_distance(lab.shape)
    centre = quad.mean(axis=0)
    out = []
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        if on_border(np.array([p, q]), w, h):
            continue
        if crossings(ink, p, q, -inward_normal(p, q, centre), d) < MIN_CROSSINGS:
            continue
        grown = (g for g in _far_sides(lab, quad, i) if _grown_over_paper(lab, quad, g, i))
        out.extend(g for g in [next(grown, None)] if g is not None)
    return out
