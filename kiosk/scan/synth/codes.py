"""Codes as a camera sees them: a QR code or barcode on paper, tilted, dim, blurred and
JPEG-compressed. Used to measure which reader to trust and to test it."""

from __future__ import annotations

import random

import cv2
import numpy as np
import segno
import zxingcpp


def qr_image(payload: str | bytes, module_px: int = 6, encoding: str | None = None) -> np.ndarray:
    """A gray QR code. ``bytes`` are stored as given (e.g. GB18030 with no ECI, as old
    systems do); ``str`` with ``encoding`` gets an ECI header."""
    qr = (
        segno.make(payload, error="m", encoding=encoding) if isinstance(payload, str) else segno.make(payload)
    )
    matrix = np.array(qr.matrix, dtype=np.uint8)
    img = np.kron(1 - matrix, np.ones((module_px, module_px), dtype=np.uint8)) * 255
    return np.pad(img, module_px * 4, constant_values=255)


def barcode_image(payload: str, scale: int = 3) -> np.ndarray:
    img = np.asarray(zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.Code128).to_image(scale=scale))
    return np.pad(img, 20, constant_values=255)


def photograph(
    code: np.ndarray,
    rng: random.Random,
    tilt: float = 0.2,
    contrast: float = 1.0,
    blur: float = 0.0,
    noise: float = 3.0,
    jpeg: int = 80,
) -> np.ndarray:
    """Place the code on a grey card and view it at an angle.

    ``tilt`` is the share of the width by which corners move (0.2 ≈ 25° oblique view);
    ``contrast`` 1 is black on white, 0.25 is dark grey on light grey.
    """
    h, w = code.shape
    canvas = np.full((h + 200, w + 200), 235, np.uint8)
    canvas[100 : 100 + h, 100 : 100 + w] = code
    H, W = canvas.shape
    src = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
    d = tilt * W
    dst = np.float32([[rng.uniform(0, d), rng.uniform(0, d)] for _ in range(4)])
    dst = np.float32([[0, 0], [W, 0], [W, H], [0, H]]) + dst * np.float32(
        [[1, 1], [-1, 1], [-1, -1], [1, -1]]
    )
    img = cv2.warpPerspective(canvas, cv2.getPerspectiveTransform(src, dst), (W, H), borderValue=200)
    img = 128 + (img.astype(np.float32) - 128) * contrast
    if blur > 0:
        img = cv2.GaussianBlur(img, (0, 0), blur)
    img += np.random.default_rng(rng.randrange(1 << 30)).normal(0, noise, img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    _ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, jpeg])
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
