"""Compression for upload: small files that still OCR as well as the rectified page.

Village stations upload over weak links, and every page is archived, so each page gets a
byte target (100 KB for an A4 page by default). What to keep depends on the material:

* ``text`` (forms, guides, register pages): flatten the lighting, then one bit per pixel
  (PNG, or TIFF Group 4 when PNG is too big). Measured on a camera capture: 37 KB as PNG,
  and Tesseract's error rate on it was *lower* than on the gray page (the uneven light is
  gone). Gray WebP is the fallback for pages too busy for bilevel to fit.
* ``gray`` (what the pipeline stores for text pages): gray WebP of the image as given;
  the pipeline gives it the page exactly as its OCR engine read it
  (``OcrEngine.prepare``), so the archive shows what was read. Bilevel raised
  Tesseract's error on the stored page by up to 72 points on shadowed, blurry captures.
* ``photo`` (ID cards, photos, licences with a red seal): colour JPEG.

Lossy formats take the first of a few qualities (best first) that fits the target, and
shrink the image when even the last does not: WebP is slow (~0.2 s an A4 page), so an
A4 page is encoded once when q85 fits (about half the pages) and at most three times.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

DEFAULT_TARGET = 100_000
KINDS = ("text", "gray", "photo")
# Qualities tried, best first. Gray WebP: Tesseract's error on the stored page moves by
# as much as on the page with ±1 grey level of noise from q85 up (its own instability),
# twice that at q70; below q50 strokes go (+13 points on some pages). JPEG encodes cost a
# few ms, so colour pages search more steps.
GRAY_QUALITIES = (85, 70, 55)
PHOTO_QUALITIES = (90, 75, 60, 45, 30)
WEBP_METHOD = 2


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


def _encode(image: np.ndarray, fmt: str, quality: int) -> bytes:
    if fmt == "jpeg":  # libjpeg-turbo: a few ms, so trying several qualities is cheap
        return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes()
    # WebP through Pillow for its ``method``: 2 is 2.5× faster than OpenCV's fixed 4 for
    # ~10 % more bytes (an A4 page: 157 vs 386 ms)
    pil = Image.fromarray(image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    return _pil_bytes(pil, "WEBP", quality=quality, method=WEBP_METHOD)


def _lossy(image: np.ndarray, fmt: str, target: int, qualities: tuple[int, ...]) -> tuple[bytes, np.ndarray]:
    """The first of ``qualities`` (best first) that fits the target; when even the last does
    not, shrink by the estimated factor (bytes grow with pixels) and retry at that quality."""
    for q in qualities:
        data = _encode(image, fmt, q)
        if len(data) <= target:
            return data, image
    while len(data) > target and min(image.shape[:2]) >= 64:
        factor = min(0.9, 0.95 * (target / len(data)) ** 0.5)
        image = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        data = _encode(image, fmt, qualities[-1])
    return data, image


def compress(image: np.ndarray, kind: str = "text", target_bytes: int = DEFAULT_TARGET) -> Compressed:
    """Encode a rectified page for upload within ``target_bytes`` (best effort: the smallest
    legible result is returned even when nothing fits)."""
    if kind not in KINDS:
        raise ValueError(f"unknown material kind {kind!r}; expected one of {KINDS}")
    if kind == "photo":
        colour = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        data, out = _lossy(colour, "jpeg", target_bytes, PHOTO_QUALITIES)
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
    # too busy for bilevel: flattened as the bilevel was; gray: the page as given
    if kind == "text":
        gray = flatten_light(gray)
    data, out = _lossy(gray, "webp", target_bytes, GRAY_QUALITIES)
    return Compressed(data, "webp", out.shape[1], out.shape[0])
