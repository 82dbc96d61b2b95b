"""How the page detector looks at a candidate outline on its small Lab copy: colour sampled
at points, a paper edge told from a line, sides lying on the frame's border. Shared by the
candidate scoring (``detect``), the placing of a page that runs out of the frame
(``whole_page``) and the fold check (``fold``), so all judge an edge the same way."""

from __future__ import annotations

import cv2
import numpy as np

BORDER_MARGIN = 0.01  # corners within this share of the size from the border touch it
STEP = 12  # Lab units: a colour step across a line this big is an edge


def sample(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Bilinear samples of a float image at (x, y) points of any leading shape."""
    shape = pts.shape[:-1]
    xy = pts.reshape(-1, 1, 2).astype(np.float32)
    vals = cv2.remap(img, xy[..., 0], xy[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return vals.reshape(*shape, *img.shape[2:])


def probe_distance(shape: tuple[int, ...]) -> float:
    """How far either side of a line the colour is sampled (pixels of the working copy)."""
    return max(3.0, 0.012 * max(shape[:2]))


def paper_edge(inner: np.ndarray, outer: np.ndarray, deeper: np.ndarray) -> np.ndarray:
    """Per point: the colour steps across the line and the same material continues inward
    (paper, not a strip of desk or an object lying against the page)."""
    step = np.linalg.norm(inner - outer, axis=1)
    return (step > STEP) & (np.linalg.norm(inner - deeper, axis=1) < 0.5 * step)


def inward_normal(p: np.ndarray, q: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """The unit normal of the line p→q that points to ``centre`` (into the page)."""
    d = (q - p) / max(float(np.linalg.norm(q - p)), 1e-9)
    towards = centre - p
    towards = towards - (towards @ d) * d
    return towards / max(float(np.linalg.norm(towards)), 1e-9)


def on_border(points: np.ndarray, w: int, h: int, tol: float = 3.0) -> bool:
    """Do all the points lie along one and the same frame border?"""
    x, y = points[:, 0], points[:, 1]
    return bool(np.all(x <= tol) or np.all(x >= w - 1 - tol) or np.all(y <= tol) or np.all(y >= h - 1 - tol))


def sides_on_border(q: np.ndarray, shape: tuple[int, ...]) -> list[bool]:
    """Which sides of an ordered quad (top, right, bottom, left) lie on the frame's border."""
    h, w = shape[:2]
    tol = BORDER_MARGIN * max(w, h)
    return [on_border(q[[i, (i + 1) % 4]], w, h, tol) for i in range(4)]
