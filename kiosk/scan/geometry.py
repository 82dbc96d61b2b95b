"""Quadrilateral geometry of the scan core: page detection uses it, and so do the virtual
photographer (`synth/camera.py`), the tests and the benchmark.

A quad is a ``(4, 2)`` float array of page corners in image coordinates (x right, y down),
ordered TL, TR, BR, BL. Keeping one ordering rule in one place means the detector and the
ground truth can be compared corner by corner.
"""

from __future__ import annotations

import cv2
import numpy as np


def order_quad(points: np.ndarray) -> np.ndarray:
    """Order four points clockwise (on screen) starting at the top-left one.

    Sorting by angle around the centroid keeps the polygon simple whatever order the points
    came in; the start is the corner with the smallest x + y, the usual "top-left".
    """
    return order_quads(np.asarray(points, dtype=np.float64).reshape(1, 4, 2))[0]


def order_quads(quads: np.ndarray) -> np.ndarray:
    """``order_quad`` of many quads (N × 4 × 2) at once."""
    pts = np.asarray(quads, dtype=np.float64)
    centre = pts.mean(axis=1, keepdims=True)
    angles = np.arctan2(pts[..., 1] - centre[..., 1], pts[..., 0] - centre[..., 0])
    pts = np.take_along_axis(pts, np.argsort(angles, axis=1)[..., None], axis=1)  # y down: clockwise
    start = np.argmin(pts.sum(axis=2), axis=1)
    turn = (np.arange(4)[None, :] + start[:, None]) % 4
    return np.take_along_axis(pts, turn[..., None], axis=1)


def quad_area(quad: np.ndarray) -> float:
    """Unsigned area of a simple polygon (shoelace formula)."""
    q = np.asarray(quad, dtype=np.float64).reshape(-1, 2)
    x, y = q[:, 0], q[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2.0)


def is_convex(quad: np.ndarray) -> bool:
    """True when the polygon turns the same way at every corner (no crossing, no dent)."""
    q = np.asarray(quad, dtype=np.float64).reshape(-1, 2)
    edges = np.roll(q, -1, axis=0) - q
    cross = edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1] - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
    return bool(np.all(cross > 0) or np.all(cross < 0))


def _raster_iou(a: np.ndarray, b: np.ndarray, size: int = 1000) -> float:
    """IoU by drawing both polygons on a canvas; works for any simple polygon."""
    both = np.vstack([a, b])
    lo = both.min(axis=0)
    scale = size / max(float((both.max(axis=0) - lo).max()), 1e-9)
    canvas_a = np.zeros((size + 2, size + 2), np.uint8)
    canvas_b = np.zeros_like(canvas_a)
    cv2.fillPoly(canvas_a, [np.round((a - lo) * scale).astype(np.int32)], 1)
    cv2.fillPoly(canvas_b, [np.round((b - lo) * scale).astype(np.int32)], 1)
    inter = np.count_nonzero(canvas_a & canvas_b)
    union = np.count_nonzero(canvas_a | canvas_b)
    return inter / union if union else 0.0


def _clip_convex(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Sutherland–Hodgman: the part of ``subject`` inside the convex ``clip`` polygon.

    Plain numpy rather than ``cv2.intersectConvexConvex``, which misreports polygons that
    share edges (identical quads gave a wrong area).
    """
    if np.sum(clip[:, 0] * np.roll(clip[:, 1], -1) - np.roll(clip[:, 0], -1) * clip[:, 1]) < 0:
        clip = clip[::-1]
    out = list(subject)
    for i in range(len(clip)):
        a, b = clip[i], clip[(i + 1) % len(clip)]
        edge = b - a
        if not out:
            break
        pts, out = out, []
        side = [edge[0] * (p[1] - a[1]) - edge[1] * (p[0] - a[0]) for p in pts]
        for j, p in enumerate(pts):
            q, sp, sq = pts[j - 1], side[j], side[j - 1]
            if sp >= 0:
                if sq < 0:
                    out.append(q + (p - q) * (sq / (sq - sp)))
                out.append(p)
            elif sq >= 0:
                out.append(q + (p - q) * (sq / (sq - sp)))
    return np.array(out).reshape(-1, 2)


def quad_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two quads: exact for convex ones, rasterised otherwise."""
    qa = np.asarray(a, dtype=np.float64).reshape(-1, 2)
    qb = np.asarray(b, dtype=np.float64).reshape(-1, 2)
    area_a, area_b = quad_area(qa), quad_area(qb)
    if area_a <= 0 or area_b <= 0:
        return 0.0
    if not (is_convex(qa) and is_convex(qb)):
        return _raster_iou(qa, qb)
    inter_poly = _clip_convex(qa, qb)
    inter = quad_area(inter_poly) if len(inter_poly) >= 3 else 0.0
    return min(1.0, inter / (area_a + area_b - inter))


def rect_corners(width: float, height: float) -> np.ndarray:
    """Corners of an axis-aligned ``width`` × ``height`` image, TL TR BR BL."""
    return np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)


def homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Perspective transform taking the four ``src`` corners to the four ``dst`` corners."""
    return cv2.getPerspectiveTransform(
        np.asarray(src, np.float32).reshape(4, 2), np.asarray(dst, np.float32).reshape(4, 2)
    )


def apply_homography(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Map points through a 3×3 homography."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(pts, np.asarray(h, dtype=np.float64)).reshape(-1, 2)


def sides(q: np.ndarray) -> tuple[float, float]:
    """(across, down) of a quad (TL TR BR BL): each the mean of its two opposite sides."""
    across, down = _sides(np.asarray(q, dtype=np.float64)[None])
    return float(across[0]), float(down[0])


def _sides(qs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sides`` of many quads (N × 4 × 2) at once."""
    across = (_rows_norm(qs[:, 1] - qs[:, 0]) + _rows_norm(qs[:, 2] - qs[:, 3])) / 2
    down = (_rows_norm(qs[:, 3] - qs[:, 0]) + _rows_norm(qs[:, 2] - qs[:, 1])) / 2
    return across, down


def true_aspect(q: np.ndarray, frame_shape: tuple[int, ...]) -> float:
    """Long side ÷ short side of the flat rectangle a quad (TL TR BR BL) shows, undoing the
    perspective (Zhang & He's rectangle constraint, principal point at the frame centre);
    the plain side ratio when there is no measurable perspective."""
    return float(true_aspects(np.asarray(q, dtype=np.float64)[None], frame_shape)[0])


def _rows_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each row's dot product, summed as ``np.dot`` sums one pair (so one quad at a time
    and many at once give the same bits)."""
    return (a[:, None, :] @ b[:, :, None])[:, 0, 0]


def _rows_norm(a: np.ndarray) -> np.ndarray:
    return np.sqrt(_rows_dot(a, a))


def true_aspects(qs: np.ndarray, frame_shape: tuple[int, ...]) -> np.ndarray:
    """``true_aspect`` of many quads (N × 4 × 2) at once: the whole-page placement tries a
    thousand positions of a corner, and one call at a time cost ~0.1 ms each in numpy's
    per-call overhead (0.4–0.75 s for the page that needed it)."""
    qs = np.asarray(qs, dtype=np.float64)
    across, down = _sides(qs)
    plain = np.maximum(across, down) / np.maximum(1.0, np.minimum(across, down))
    h, w = frame_shape[:2]
    pts = np.concatenate([qs - [w / 2, h / 2], np.ones((*qs.shape[:2], 1))], axis=2)
    tl, tr, br, bl = pts[:, 0], pts[:, 1], pts[:, 2], pts[:, 3]
    d2, d3 = _rows_dot(np.cross(tr, br), bl), _rows_dot(np.cross(bl, br), tr)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        k2 = _rows_dot(np.cross(tl, br), bl) / d2
        k3 = _rows_dot(np.cross(tl, br), tr) / d3
        n2, n3 = k2[:, None] * tr - tl, k3[:, None] * bl - tl
        f2 = -(n2[:, 0] * n3[:, 0] + n2[:, 1] * n3[:, 1]) / (n2[:, 2] * n3[:, 2])
        r = np.sqrt(
            (n2[:, 0] ** 2 + n2[:, 1] ** 2 + f2 * n2[:, 2] ** 2)
            / (n3[:, 0] ** 2 + n3[:, 1] ** 2 + f2 * n3[:, 2] ** 2)
        )
        ratio = np.maximum(r, 1 / r)
    flat = (np.abs(d2) < 1e-9) | (np.abs(d3) < 1e-9)
    flat |= (np.abs(n2[:, 2] * n3[:, 2]) < 1e-9) | ((np.abs(k2 - 1) < 0.02) & (np.abs(k3 - 1) < 0.02))
    flat |= ~np.isfinite(f2) | (f2 <= 0) | ~np.isfinite(r) | ~(r > 0)
    return np.where(flat, plain, ratio)


def line_through(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The homogeneous line through two image points."""
    return np.cross(np.append(p, 1.0), np.append(q, 1.0))


def place_far_side(
    a: np.ndarray,
    b: np.ndarray,
    a_way: np.ndarray,
    b_way: np.ndarray,
    frame_shape: tuple[int, ...],
    focal: float,
    ratio: float,
) -> tuple[np.ndarray, np.ndarray, float]:
    """The far corners of a rectangle whose near side ``a``–``b`` is seen whole and whose two
    other sides leave ``a`` towards ``a_way`` and ``b`` towards ``b_way`` (the far side is
    not seen: beyond the frame), the far sides ``ratio`` × the near side's length away.

    Three lines and a rectangle's proportions leave one unknown, the camera's focal length
    (a slimmer rectangle tilted more looks the same): given it (pixels, principal point at
    the frame's centre) the paper's plane follows, since its two directions are at right
    angles; the far side is then placed in that plane. Returns (far corner after ``a``, far
    corner after ``b``, how far ``a_way``/``b_way`` reach across the rectangle as a share of
    the near side: the part of the page the frame shows)."""
    h, w = frame_shape[:2]
    k = np.array([[focal, 0, w / 2], [0, focal, h / 2], [0, 0, 1.0]])
    k_inv = np.linalg.inv(k)
    across = k_inv @ np.cross(line_through(a, a_way), line_through(b, b_way))  # the sides' 3-D direction
    along = np.cross(k.T @ line_through(a, b), across)  # the near side's: in its plane of sight, ⟂ across
    normal = np.cross(along, across)

    def lift(p: np.ndarray) -> np.ndarray:  # the point of the paper's plane (normal · X = 1) seen at p
        ray = k_inv @ np.append(p, 1.0)
        return ray / (normal @ ray)

    xa, xb, xa_way, xb_way = (lift(p) for p in (a, b, a_way, b_way))
    unit = across / np.linalg.norm(across)
    if unit @ (xa_way - xa) < 0:
        unit = -unit
    near = float(np.linalg.norm(xb - xa))
    reach = max(float(unit @ (xa_way - xa)), float(unit @ (xb_way - xb))) / near

    def drop(x: np.ndarray) -> np.ndarray:
        p = k @ x
        return p[:2] / p[2]

    return drop(xa + ratio * near * unit), drop(xb + ratio * near * unit), reach


def shown_share(quad: np.ndarray, frame_shape: tuple[int, ...]) -> float:
    """Share of a rectangle (its corners ``quad``, TL TR BR BL, some beyond the frame) that the
    frame shows, measured on the rectangle itself (its image is foreshortened)."""
    h, w = frame_shape[:2]
    q = np.asarray(quad, dtype=np.float64).reshape(4, 2)
    seen = _clip_convex(q, rect_corners(w, h))
    if len(seen) < 3:
        return 0.0
    flat = apply_homography(homography(q, rect_corners(1, 1)), seen)
    return min(1.0, quad_area(flat))
