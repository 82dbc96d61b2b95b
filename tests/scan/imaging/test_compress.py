"""Compression for upload: under the byte target, and the stored page still reads."""

from __future__ import annotations

import io
import os

import cv2
import numpy as np
import pytesseract
import pytest
from PIL import Image, ImageDraw, ImageFont

from kiosk.scan.compress import compress
from kiosk.scan.detect import detect_page, rectify
from kiosk.scan.synth.camera import photograph, random_params
from kiosk.scan.synth.testpage import FONT

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def decode(blob) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(blob.data)).convert("L"))


@pytest.fixture(scope="module")
def photographed_page(page200) -> np.ndarray:
    """A rectified camera capture of the 200-dpi page: uneven light, noise, JPEG."""
    cap = photograph(page200, random_params(61, (2400, 1800), rotation=0, fill=0.9, light_gradient=0.3), 61)
    return rectify(cap.image, detect_page(cap.image).quad)


def test_text_page_goes_bilevel_under_target(photographed_page):
    blob = compress(photographed_page, "text")
    assert blob.format == "png" and blob.size <= 100_000
    img = decode(blob)
    assert img.shape == photographed_page.shape[:2] and set(np.unique(img)) <= {0, 255}
    assert (blob.width, blob.height) == (1654, 2339)


def test_stored_text_page_still_reads():
    """Tesseract reads a line of the stored page as well as the original."""
    page = Image.new("L", (1654, 700), 235)
    draw = ImageDraw.Draw(page)
    draw.text((150, 200), "公民身份号码 110101199003070011", font=ImageFont.truetype(FONT, 56), fill=60)
    blob = compress(np.asarray(page), "text", target_bytes=20_000)
    assert blob.size <= 20_000
    text = pytesseract.image_to_string(decode(blob), lang="chi_sim", config="--psm 7 --dpi 200")
    assert "110101199003070011" in "".join(text.split())


def test_tight_target_falls_back_to_g4_then_webp(photographed_page):
    part = photographed_page[:800, :600]
    png = compress(part, "text")
    assert png.format == "png"
    g4 = compress(part, "text", target_bytes=png.size - 1)  # PNG no longer fits; G4 is smaller
    assert g4.format == "tiff" and g4.size < png.size
    noisy = part.copy()
    noisy[np.random.default_rng(0).integers(0, 2, part.shape[:2]) > 0] = 0  # salt everywhere
    blob = compress(noisy, "text", target_bytes=30_000)
    assert blob.format == "webp" and blob.size <= 30_000
    gray = compress(part, "gray", target_bytes=30_000)
    assert gray.format == "webp" and gray.size <= 30_000


def test_photo_kind_is_small_colour_jpeg(photographed_page):
    card = cv2.resize(photographed_page, (1011, 638))
    blob = compress(card, "photo", target_bytes=40_000)
    assert blob.format == "jpeg" and blob.size <= 40_000 and blob.media_type == "image/jpeg"
    assert np.asarray(Image.open(io.BytesIO(blob.data))).ndim == 3


def test_impossible_target_still_returns_the_smallest_image(photographed_page):
    blob = compress(photographed_page, "photo", target_bytes=2_000)
    assert blob.size <= 2_000 and blob.width < 1654  # shrunk until it fitted


def test_unknown_kind():
    with pytest.raises(ValueError):
        compress(np.zeros((10, 10), np.uint8), "x-ray")


def test_gray_kind_stores_the_page_as_given(photographed_page):
    """Gray pages are stored as given (the pipeline gives the OCR engine's own input), at a
    quality where the stored page differs from it by less than a grey level or two."""
    from kiosk.scan.ocr.base import even_out_light

    read = even_out_light(cv2.cvtColor(photographed_page, cv2.COLOR_BGR2GRAY))
    blob = compress(read, "gray")
    assert blob.format == "webp" and blob.size <= 100_000 and (blob.width, blob.height) == (1654, 2339)
    assert np.abs(decode(blob).astype(int) - read.astype(int)).mean() < 2.5
