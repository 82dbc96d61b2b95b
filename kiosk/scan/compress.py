"""Compression for upload: small files that still OCR as well as the rectified page.

Village stations upload over weak links, and every page is archived, so each page gets a
byte target (100 KB for an A4 page by default). What to keep depends on the material:

* ``text`` (forms, guides, register pages): flatten the lighting, then one bit per pixel
  (PNG, or TIFF Group 4 when PNG is too big). Measured on a camera capture: 37 KB as PNG,
  and Tesseract's error rate on it was *lower* than on the gray page (the uneven light is
  gone). Gray WebP is the fallback for pages too busy for bilevel to fit.
* ``gray``: lighting-flattened gray WebP, for text pages with faint pencil or stamps.
* ``photo`` (ID cards, photos, licences with a red seal): colour JPEG.

Lossy formats take the highest quality (in steps of 15) that fits the target, and shrink
the image first if even the lowest acceptable quality does not fit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

DEFAULT_TARGET = 100_000
KINDS = ("text", "gray", "photo")
MIN_QUALITY = 30  # below this JPEG/WebP blocks start to eat strokes
MAX_QUALITY = 90
QUALITY_STEP = 15


@dataclass
class Compressed:
    data: bytes
    format: str  # png, tiff, webp, jpeg
    width: int
    height: int

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def media_type(self) -> str:
        return {"png": "image/png", "tiff": "image/tiff", "webp": "image/webp", "jpeg": "image/jpeg"}[
            self.format
        ]


def flatten_light(gray: np.ndarray) -> np.ndarray:
    """Divide out the paper's brightness: even white paper, print kept. The paper level is
    estimated on a quarter-size copy (closing removes print, blur smooths), which is as
    good for a slowly varying light and ten times cheaper than at full size."""
    h, w = gray.shape
    small = cv2.resize(gray, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    k = max(5, (min(small.shape) // 50) | 1)  # wider than any stroke
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    paper = cv2.GaussianBlur(paper, (0, 0), k / 3)
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, np.maximum(paper, 1), scale=255)


def bilevel(gray: np.ndarray) -> np.ndarray:
    """Black print on white, 0/255: flattened light, Otsu threshold kept in a sane band,
    lone pixels of sensor noise removed (they cost bytes and confuse OCR)."""
    flat = flatten_light(gray)
    otsu, _ = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = (flat < float(np.clip(otsu, 150, 215))).astype(np.uint8)
    neighbours = cv2.filter2D(ink, -1, np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.uint8))
    ink[neighbours == 0] = 0
    return (1 - ink) * 255


def _pil_bytes(img: Image.Image, fmt: str, **opts) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **opts)
    return buf.getvalue()


def _lossy(image: np.ndarray, fmt: str, target: int) -> tuple[bytes, np.ndarray]:
    """Highest quality within the target; when even the lowest acceptable
    quality is too big, shrink by the estimated factor (bytes grow with pixels) and retry."""
    flag = cv2.IMWRITE_WEBP_QUALITY if fmt == "webp" else cv2.IMWRITE_JPEG_QUALITY
    ext = ".webp" if fmt == "webp" else ".jpg"

    def encode(img: np.ndarray, q: int) -> bytes:
        return cv2.imencode(ext, img, [flag, q])[1].tobytes()

    smallest = encode(image, MIN_QUALITY)
    while len(smallest) > target and min(image.shape[:2]) >= 64:
        factor = min(0.9, 0.95 * (target / len(smallest)) ** 0.5)
        image = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        smallest = encode(image, MIN_QUALITY)
    best = smallest
    for q in range(MIN_QUALITY + QUALITY_STEP, MAX_QUALITY + 1, QUALITY_STEP):  # few encodes: WebP is slow
        data = encode(image, q)
        if len(data) > target:
            break
        best = data
    return best, image


def compress(image: np.ndarray, kind: str = "text", target_bytes: int = DEFAULT_TARGET) -> Compressed:
    """Encode a rectified page for upload within ``target_bytes`` (best effort: the smallest
    legible result is returned even when nothing fits)."""
    if kind not in KINDS:
        raise ValueError(f"unknown material kind {kind!r}; expected one of {KINDS}")
    if kind == "photo":
        colour = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        data, out = _lossy(colour, "jpeg", target_bytes)
        return Compressed(data, "jpeg", out.shape[1], out.shape[0])
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    if kind == "text":
        bw = bilevel(gray)
        png = cv2.imencode(".png", bw, [cv2.IMWRITE_PNG_BILEVEL, 1, cv2.IMWRITE_PNG_COMPRESSION, 9])[1]
        if len(png) <= target_bytes:
            return Compressed(png.tobytes(), "png", w, h)
        one_bit = Image.fromarray(bw).convert("1", dither=Image.Dither.NONE)
        g4 = _pil_bytes(one_bit, "TIFF", compression="group4")
        if len(g4) <= target_bytes:
            return Compressed(g4, "tiff", w, h)
    data, out = _lossy(flatten_light(gray), "webp", target_bytes)
    return Compressed(data, "webp", out.shape[1], out.shape[0])
