"""The working copy page detection looks at: the capture shrunk to ``WORK_SIZE``, its print
closed away (only the paper's shape is left), in Lab with chroma counting double, with
where the print was and how strongly the colour changes at each pixel.

Its own module because it is the detector's input, not its logic: ``detect`` finds the
page on it, the fold check (``fold``) and the tests read the same copy.
"""

from __future__ import annotations

import cv2
import numpy as np

from .fold import print_mask
from .resample import shrink

WORK_SIZE = 1000  # long side of the working copy


def prepare(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Small, text-free Lab copy: closing removes dark print so only the paper shape is left;
    and where that print was (``fold.print_mask``), to tell a fold from an edge."""
    small, scale = shrink(image, WORK_SIZE)
    if small.ndim == 2:
        small = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
    k = max(3, round(max(small.shape[:2]) / 90)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    closed = cv2.medianBlur(closed, 5)
    lab = cv2.LUT(cv2.cvtColor(closed, cv2.COLOR_BGR2Lab), LAB_TABLE)
    return lab, print_mask(small, closed), scale


def _lab_table() -> np.ndarray:
    """Lab bytes → the working copy's floats, per channel: L as it is, chroma about 0 and
    counting double (pale desks differ in hue). One table look-up instead of float arithmetic
    over the copy's strided chroma channels (~9 ms a capture down to ~1.5)."""
    v = np.arange(256, dtype=np.float32)
    return np.stack([v, (v - 128) * 2.0, (v - 128) * 2.0], axis=-1)[None]


LAB_TABLE = _lab_table()


def gradient(lab: np.ndarray) -> np.ndarray:
    """How strongly the colour changes at each pixel: the Sobel gradient's length over all
    three channels. The channels are added one by one: numpy's sum over a last axis of 3 took
    ~17 ms a capture, the same sums in the same order ~5."""
    gx = cv2.Sobel(lab, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(lab, cv2.CV_32F, 0, 1, ksize=3)
    gx *= gx
    gy *= gy
    gx += gy
    return np.sqrt(gx[..., 0] + gx[..., 1] + gx[..., 2])
