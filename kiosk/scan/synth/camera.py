"""The virtual photographer: turns a flat rendered document into a realistic camera capture.

Tests and the benchmark need captures whose truth is known: where the page corners are,
how the page was turned, how skewed the print is. A kiosk's document camera sees the page
at an angle, under uneven light, on whatever desk the station has; every one of those
effects is reproduced here, deterministically from a seed, so a failure can be replayed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

import cv2
import numpy as np

from ..geometry import homography, order_quad, rect_corners
from .backgrounds import KINDS, make_background, smooth_noise


@dataclass(frozen=True)
class CameraParams:
    """How one capture is taken. Angles in degrees; ``rotation`` is clockwise to upright."""

    frame: tuple[int, int] = (1600, 1200)  # capture width, height in pixels
    rotation: int = 0  # the page lies turned so that this clockwise turn makes it upright
    skew_deg: float = 0.0  # print skew on the paper itself (crooked photocopy)
    tilt_x: float = 0.0  # out-of-plane tilt about the horizontal axis (keystone)
    tilt_y: float = 0.0  # out-of-plane tilt about the vertical axis
    roll: float = 0.0  # small in-plane turn of the page in the frame
    fill: float = 0.75  # page size relative to the frame
    fills_frame: bool = False  # page larger than the frame: every border is page
    background: str = "textured"
    folded_corner: int | None = None  # 0..3: that page corner is dog-eared
    paper: tuple[float, float, float] = (0.97, 0.98, 1.0)  # paper tint, BGR gain
    light_gradient: float = 0.25  # brightness falls by up to this across the frame
    shadow: float = 0.0  # 0 none, else how much a soft shadow darkens (0..0.6)
    glare: float = 0.0  # 0 none, else glare spot radius relative to the page
    exposure: float = 1.0
    veil: float = 0.0  # lens flare / washed-out light: lifts dark print towards white (0..1)
    blur_sigma: float = 0.0  # defocus, in pixels of a 1000-px-long frame
    noise_sigma: float = 3.0
    jpeg_quality: int | None = 85
    overhang: tuple[str, float] | None = None  # (frame border, share of the page beyond it)
    glare_at: tuple[float, float] | None = None  # glare centre on the upright page (x, y as shares)
    bow: float = 0.0  # the page lifts off the desk in a cylinder: print lines sag by this share of the page
    fold_shadow: float = 0.0  # 0 none, else how much the crease of a fold across the page darkens it


@dataclass
class SynthCapture:
    """A synthetic capture with its ground truth."""

    image: np.ndarray  # BGR uint8
    quad: np.ndarray  # visible page corners in the capture, TL TR BR BL (the frame if it fills it)
    rotation: int  # clockwise degrees that make the page upright
    skew_deg: float  # print skew, counter-clockwise positive as drawn
    params: CameraParams
    print_inside: bool = True  # every printed pixel of the page is inside the frame
    text_inside: bool | None = None  # every character is inside (None: no ``text`` mask was given)

    def truth(self) -> dict[str, Any]:
        return {
            "quad": self.quad.round(2).tolist(),
            "rotation": self.rotation,
            "skew_deg": self.skew_deg,
            "params": asdict(self.params),
        }


def random_params(seed: int, frame: tuple[int, int] = (1600, 1200), **overrides: Any) -> CameraParams:
    """Draw a plausible kiosk capture setting: perspective up to 30°, any orientation."""
    rng = np.random.default_rng(seed)
    tilt = rng.uniform(0, 30)
    direction = rng.uniform(0, 2 * math.pi)
    params = CameraParams(
        frame=frame,
        rotation=int(rng.choice([0, 90, 180, 270])),
        skew_deg=float(rng.uniform(-3, 3)),
        tilt_x=float(tilt * math.cos(direction)),
        tilt_y=float(tilt * math.sin(direction)),
        roll=float(rng.uniform(-12, 12)),
        fill=float(rng.uniform(0.6, 0.88)),
        background=str(rng.choice(KINDS)),
        folded_corner=int(rng.integers(0, 4)) if rng.random() < 0.2 else None,
        paper=tuple(float(v) for v in rng.uniform([0.88, 0.92, 0.95], [0.97, 0.99, 1.0])),
        light_gradient=float(rng.uniform(0, 0.35)),
        shadow=float(rng.uniform(0.15, 0.45)) if rng.random() < 0.4 else 0.0,
        exposure=float(rng.uniform(0.85, 1.05)),
        blur_sigma=float(rng.uniform(0, 0.8)),
        noise_sigma=float(rng.uniform(1, 5)),
        jpeg_quality=int(rng.integers(60, 95)),
    )
    return replace(params, **overrides)


def _projected_quad(w: float, h: float, p: CameraParams, shift: np.ndarray | None = None) -> np.ndarray:
    """Page corners as a pinhole camera sees a w×h page tilted by the given angles and moved
    by ``shift`` (page units, across the optical axis); the principal point is the origin."""
    ax, ay, az = (math.radians(v) for v in (p.tilt_x, p.tilt_y, p.roll))
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    corners = rect_corners(w, h) - [w / 2, h / 2]
    pts = np.c_[corners, np.zeros(4)] @ (rz @ ry @ rx).T
    if shift is not None:
        pts[:, :2] += shift
    distance = 1.3 * math.hypot(w, h)  # a document camera close above the desk
    return pts[:, :2] * distance / (pts[:, 2:3] + distance)


def _place(w: float, h: float, p: CameraParams, rng: np.random.Generator) -> np.ndarray:
    """The page's corners in the frame.

    The page is moved on the desk (across the optical axis) and the image is only scaled
    about the principal point, which stays at the frame centre as in a real camera.
    (Shifting the *projection* instead would move the principal point off centre, and
    with it break every estimate that relies on it, such as the page's true aspect.)
    """
    fw, fh = p.frame
    centre = np.array([fw, fh]) / 2
    quad = _projected_quad(w, h, p)
    if p.fills_frame:  # grow about the principal point until every frame corner lies on the page
        frame = (rect_corners(fw, fh) - centre).astype(np.float32)
        scale = max(fw, fh) / max(np.ptp(quad, axis=0))
        while any(
            cv2.pointPolygonTest((quad * scale).astype(np.float32), tuple(map(float, c)), False) <= 0
            for c in frame * 1.02
        ):
            scale *= 1.03
        return quad * scale + centre
    size = np.ptp(quad, axis=0)
    scale = p.fill * min(fw / size[0], fh / size[1])
    slack = np.maximum(np.array([fw, fh]) - size * scale, 0) / 2
    target = rng.uniform(-0.8, 0.8, 2) * slack / scale  # where the page's box centre should go
    shift = np.zeros(2)
    for _ in range(4):  # moving the page also changes its perspective a little: iterate
        quad = _projected_quad(w, h, p, shift)
        shift += target - (quad.min(axis=0) + quad.max(axis=0)) / 2
    quad = _projected_quad(w, h, p, shift)
    reach = np.abs(quad).max(axis=0)  # farthest corner from the principal point, per axis
    scale = min(scale, *(0.99 * centre / np.maximum(reach, 1e-9)))  # keep the page inside the frame
    if p.overhang is not None:
        return _overhanging(w, h, p, shift, scale, centre)
    return quad * scale + centre


def _overhanging(w: float, h: float, p: CameraParams, shift: np.ndarray, scale: float, centre) -> np.ndarray:
    """Move the page on the desk until ``overhang`` of it lies beyond one frame border."""
    border, share = p.overhang  # type: ignore[misc]
    axis, sign = {"top": (1, -1), "bottom": (1, 1), "left": (0, -1), "right": (0, 1)}[border]
    limit = centre[axis] * sign  # the border, relative to the principal point
    for _ in range(8):  # the perspective changes as the page moves: iterate
        quad = _projected_quad(w, h, p, shift) * scale
        extent = np.ptp(quad[:, axis])
        edge = quad[:, axis].max() if sign > 0 else quad[:, axis].min()
        shift[axis] += (limit + sign * share * extent - edge) / scale
    return _projected_quad(w, h, p, shift) * scale + centre


def _illumination(p: CameraParams, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Brightness gain over the frame: a slope, a vignette, a soft shadow, plus exposure."""
    h, w = shape
    sh, sw = max(2, h // 8), max(2, w // 8)  # smooth fields are built small, then upsampled
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    xx, yy = xx / sw - 0.5, yy / sh - 0.5
    angle = rng.uniform(0, 2 * math.pi)
    gain = 1 - p.light_gradient * (0.5 + math.cos(angle) * xx + math.sin(angle) * yy)
    gain *= 1 - 0.25 * (xx**2 + yy**2)
    if p.shadow > 0:
        mask = np.zeros((sh, sw), np.float32)
        cx, cy = rng.uniform(0, sw), rng.uniform(0, sh)
        pts = np.array(
            [[cx + rng.uniform(-0.4, 0.4) * sw, cy + rng.uniform(-0.4, 0.4) * sh] for _ in range(5)],
            np.int32,
        )
        cv2.fillPoly(mask, [cv2.convexHull(pts)], 1.0)
        mask = cv2.GaussianBlur(mask, (0, 0), max(sh, sw) / 40)
        gain *= 1 - p.shadow * mask
    gain = cv2.resize(gain * p.exposure, (w, h), interpolation=cv2.INTER_LINEAR)
    return gain * (1 + 0.02 * smooth_noise(rng, shape, 6))


def _fold(page: np.ndarray, mask: np.ndarray, quad: np.ndarray, corner: int, rng) -> None:
    """Dog-ear one corner: the tip folds over onto the page, the desk shows where it was."""
    c = quad[corner]
    a = c + (quad[(corner + 1) % 4] - c) * rng.uniform(0.07, 0.15)
    b = c + (quad[(corner - 1) % 4] - c) * rng.uniform(0.07, 0.15)
    d = (b - a) / np.linalg.norm(b - a)
    foot = a + d * np.dot(c - a, d)
    flap = np.array([2 * foot - c, a, b], np.int32)
    cv2.fillConvexPoly(mask, np.array([c, a, b], np.int32), 0, lineType=cv2.LINE_AA)
    shade = np.array([205, 210, 212], np.float64) * rng.uniform(0.85, 1.0)
    cv2.fillConvexPoly(page, flap + np.array([2, 3]), (shade * 0.7).tolist(), lineType=cv2.LINE_AA)
    cv2.fillConvexPoly(page, flap, shade.tolist(), lineType=cv2.LINE_AA)


def _skewed(doc: np.ndarray, skew_deg: float) -> np.ndarray:
    """Turn the print on the paper; the paper edge stays put, the margins fill with white."""
    if abs(skew_deg) < 1e-3:
        return doc
    h, w = doc.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), skew_deg, 1.0)
    return cv2.warpAffine(doc, m, (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))


def _bent(doc: np.ndarray, p: CameraParams) -> tuple[np.ndarray, np.ndarray | None]:
    """A page that does not lie flat: bowed into a cylinder across its width (the print
    lines and the top and bottom edges sag by ``bow`` of the page's height in the middle,
    and the side facing away from the light is darker) and creased down the middle by a
    fold whose valley casts a shadow. Returns the page and where it still is paper (0..1),
    or None when it lies flat."""
    if p.bow <= 0 and p.fold_shadow <= 0:
        return doc, None
    h, w = doc.shape[:2]
    x = np.arange(w, dtype=np.float32)
    sag = p.bow * h * np.sin(np.pi * x / w)  # how far each column's print has moved down
    map_x = np.broadcast_to(x, (h, w)).copy()
    map_y = np.arange(h, dtype=np.float32)[:, None] - sag[None, :]
    bent = cv2.remap(doc, map_x, map_y, cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    alpha = cv2.remap(np.full((h, w), 255, np.uint8), map_x, map_y, cv2.INTER_LINEAR, borderValue=0)
    slope = np.cos(np.pi * x / w)  # the surface turns towards the light on one side, away on the other
    gain = 1 - 6 * p.bow * (0.5 - 0.5 * slope)
    crease = w * 0.5
    gain = gain * (1 - p.fold_shadow * np.exp(-(((x - crease) / (0.012 * w)) ** 2)))
    gain = gain * (1 - 0.25 * p.fold_shadow * (x > crease))
    bent = (bent.astype(np.float32) * gain[None, :, None]).clip(0, 255).astype(np.uint8)
    return bent, alpha


def photograph(
    doc: np.ndarray, params: CameraParams | None = None, seed: int = 0, text: np.ndarray | None = None
) -> SynthCapture:
    """Photograph ``doc`` (an upright flat page, BGR or gray uint8) as ``params`` says.
    ``text``: a gray mask of the page, dark where characters were drawn
    (``Document.text_mask``), carried through the same placement to tell whether the frame
    cut characters or only a rule or border (a bow is not applied to it: it moves print by
    at most 2.5 % inside the page)."""
    p = params or random_params(seed)
    rng = np.random.default_rng(seed + 7919)
    if doc.ndim == 2:
        doc = cv2.cvtColor(doc, cv2.COLOR_GRAY2BGR)
    doc, lying = _bent(doc, p)
    doc = _skewed(doc, p.skew_deg)
    doc = np.ascontiguousarray(np.rot90(doc, k=(p.rotation // 90) % 4))  # CCW, undone by a CW turn
    if lying is not None:
        lying = np.ascontiguousarray(np.rot90(lying, k=(p.rotation // 90) % 4))
    h, w = doc.shape[:2]
    fw, fh = p.frame
    page_quad = _place(w, h, p, rng)
    # shrink the document close to its size in the frame first, so the warp does not alias
    side = max(np.linalg.norm(page_quad[1] - page_quad[0]), np.linalg.norm(page_quad[2] - page_quad[1]))
    shrink = min(1.0, 1.3 * side / max(w, h))
    if shrink < 1.0:
        doc = cv2.resize(doc, (round(w * shrink), round(h * shrink)), interpolation=cv2.INTER_AREA)
    src = rect_corners(doc.shape[1], doc.shape[0])
    hmat = homography(src, page_quad)
    page = cv2.warpPerspective(doc, hmat, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    mask = np.zeros((fh, fw), np.uint8)
    cv2.fillConvexPoly(mask, np.round(page_quad * 16).astype(np.int32), 255, cv2.LINE_AA, shift=4)
    if lying is not None:  # a bowed page's top and bottom edges sag: the desk shows above them
        lying = cv2.resize(lying, (doc.shape[1], doc.shape[0]), interpolation=cv2.INTER_AREA)
        mask = np.minimum(mask, cv2.warpPerspective(lying, hmat, (fw, fh), flags=cv2.INTER_LINEAR))
    if p.folded_corner is not None and not p.fills_frame:
        _fold(page, mask, page_quad, p.folded_corner, rng)
    out = make_background(p.background, (fh, fw), rng)
    if not p.fills_frame:  # the page casts a faint shadow on the desk
        drop = cv2.GaussianBlur(mask, (0, 0), max(fw, fh) / 400).astype(np.float32) / 255
        shift = np.float32([[1, 0, max(fw, fh) / 500], [0, 1, max(fw, fh) / 400]])
        drop = cv2.warpAffine(drop, shift, (fw, fh))
        out = (out * (1 - 0.35 * drop[..., None])).astype(np.uint8)
    alpha = mask.astype(np.float32)[..., None] / 255
    paper = page.astype(np.float32) * np.array(p.paper, np.float32)
    img = paper * alpha + out.astype(np.float32) * (1 - alpha)
    del page, paper, alpha, out
    img *= _illumination(p, (fh, fw), rng)[..., None]
    if p.veil > 0:
        img += p.veil * (255 - img.clip(0, 255))
    if p.glare > 0:
        at = None
        if p.glare_at is not None:
            u, v = _on_rotated(*p.glare_at, (p.rotation // 90) % 4)
            spot = np.float32([[[u * doc.shape[1], v * doc.shape[0]]]])
            at = cv2.perspectiveTransform(spot, hmat).reshape(2)
        img += _glare(p, page_quad, (fh, fw), rng, at)[..., None]
    if p.blur_sigma > 0:
        sigma = p.blur_sigma * max(fw, fh) / 1000
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    noise = p.noise_sigma / max(p.exposure, 0.1) ** 0.5  # dim light: the camera turns up its gain
    img += rng.normal(0, noise, (fh, fw, 1)).astype(np.float32) * 0.6
    img += rng.normal(0, noise * 0.4, img.shape).astype(np.float32)
    out8 = img.clip(0, 255).astype(np.uint8)
    del img
    if p.jpeg_quality:
        _, buf = cv2.imencode(".jpg", out8, [cv2.IMWRITE_JPEG_QUALITY, int(p.jpeg_quality)])
        out8 = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    truth = rect_corners(fw, fh) if p.fills_frame else order_quad(page_quad)
    inside = _print_inside(doc, hmat, (fw, fh))
    text_inside = None
    if text is not None:
        marks = np.ascontiguousarray(np.rot90(_skewed(text, p.skew_deg), k=(p.rotation // 90) % 4))
        marks = cv2.resize(marks, (doc.shape[1], doc.shape[0]), interpolation=cv2.INTER_NEAREST)
        text_inside = _print_inside(marks, hmat, (fw, fh))
    return SynthCapture(out8, truth, p.rotation, p.skew_deg, p, inside, text_inside)


def _print_inside(doc: np.ndarray, hmat: np.ndarray, frame: tuple[int, int]) -> bool:
    """Whether all of the print lands inside the frame (the convex hull of the print's
    pixels, mapped by the page's homography, which keeps hulls convex)."""
    gray = cv2.cvtColor(doc, cv2.COLOR_BGR2GRAY) if doc.ndim == 3 else doc
    points = cv2.findNonZero((gray < 160).astype(np.uint8))
    if points is None:
        return True
    hull = cv2.perspectiveTransform(cv2.convexHull(points).astype(np.float32), hmat).reshape(-1, 2)
    fw, fh = frame
    return bool((hull >= 0).all() and (hull[:, 0] <= fw - 1).all() and (hull[:, 1] <= fh - 1).all())


def _on_rotated(u: float, v: float, turns: int) -> tuple[float, float]:
    """A point of the upright page (shares of width, height) on the page turned ``turns``
    quarter turns counter-clockwise, as ``np.rot90`` turns it."""
    return [(u, v), (v, 1 - u), (1 - u, 1 - v), (1 - v, u)][turns % 4]


def _glare(p: CameraParams, quad: np.ndarray, shape: tuple[int, int], rng, at=None) -> np.ndarray:
    """A specular highlight: a bright, saturated blob somewhere on the page (at ``at``, in
    capture pixels, when given)."""
    h, w = shape
    corner_weights = rng.dirichlet(np.ones(4) * 3)
    cx, cy = corner_weights @ quad if at is None else at
    side = math.sqrt(cv2.contourArea(quad.astype(np.float32)))
    r = max(2.0, p.glare * side)
    yy, xx = np.ogrid[0:h, 0:w]
    d2 = ((xx - cx) ** 2 + ((yy - cy) * 1.4) ** 2).astype(np.float32)
    return 420 * np.exp(-d2 / (2 * r * r))
