"""Capture sources: every file format, every bad file, the virtual and OpenCV cameras."""

from __future__ import annotations

import struct
import time
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from kiosk.scan.sources import (
    MESSAGES,
    CameraSource,
    CaptureError,
    FileSource,
    VirtualCamera,
    load_file,
    sniff,
)
from kiosk.scan.types import Capture, Problem


@pytest.fixture(scope="module")
def sample() -> np.ndarray:
    """A small BGR page with a red mark in its top-left corner (to check channel order)."""
    img = np.full((120, 90, 3), 240, np.uint8)
    img[5:25, 5:25] = (0, 0, 255)
    cv2.putText(img, "A4", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    return img


def _pil(img: np.ndarray) -> Image.Image:
    return Image.fromarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "BMP", "WEBP"])
def test_single_image_formats(tmp_path, sample, fmt):
    path = tmp_path / f"page.{fmt.lower()}"
    _pil(sample).save(path, fmt, **({"dpi": (300, 300)} if fmt in ("PNG", "TIFF") else {}))
    pages = load_file(path)
    assert isinstance(pages, list) and len(pages) == 1
    cap = pages[0]
    assert cap.image.shape == sample.shape and cap.source == path.name
    assert cap.image[15, 15, 2] > 200 and cap.image[15, 15, 0] < 60  # red stays red: BGR order
    assert cap.dpi == (pytest.approx(300, abs=1) if fmt in ("PNG", "TIFF") else None)


def test_multipage_tiff_and_gray_and_16_bit(tmp_path, sample):
    path = tmp_path / "scan.tif"
    first = _pil(sample)
    second = Image.fromarray(np.full((50, 40), 100, np.uint8))  # gray page
    third = Image.fromarray(np.full((30, 20), 30000, np.uint16))  # 16-bit scanner output
    first.save(path, save_all=True, append_images=[second, third])
    pages = load_file(path)
    assert [p.source for p in pages] == ["scan.tif#1", "scan.tif#2", "scan.tif#3"]
    assert pages[1].image.ndim == 2 and pages[1].image[0, 0] == 100
    assert pages[2].image.dtype == np.uint8 and abs(int(pages[2].image[0, 0]) - 117) <= 1


def test_transparent_png_lies_on_white_paper(tmp_path):
    rgba = np.zeros((20, 20, 4), np.uint8)  # fully transparent
    path = tmp_path / "t.png"
    Image.fromarray(rgba, "RGBA").save(path)
    assert load_file(path)[0].image.min() == 255


def test_exif_orientation_is_applied(tmp_path, sample):
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    _pil(sample).save(path, "JPEG", exif=exif)
    assert load_file(path)[0].image.shape[:2] == (90, 120)


def test_pdf_pages_render_at_the_chosen_dpi(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "form.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(2):
        c.drawString(100, 700, f"page {n + 1}")
        c.showPage()
    c.save()
    pages = load_file(path, pdf_dpi=100)
    assert [p.source for p in pages] == ["form.pdf#1", "form.pdf#2"]
    h, w, _ = pages[0].image.shape
    assert abs(h - 1169) <= 1 and abs(w - 827) <= 1 and pages[0].dpi == 100
    assert pages[0].image.min() < 100  # the text was drawn


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` but carries one tiny data chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def _jpeg_claiming(path, sample, width: int, height: int) -> None:
    """A real JPEG with its frame header's size rewritten (a classic bomb)."""
    data = bytearray(cv2.imencode(".jpg", sample)[1].tobytes())
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("name", "make", "code"),
    [
        ("empty.jpg", lambda p, s: p.write_bytes(b""), "empty"),
        ("notes.jpg", lambda p, s: p.write_text("这不是图片 just text"), "not_an_image"),
        ("zip.png", lambda p, s: p.write_bytes(b"PK\x03\x04" + b"\0" * 100), "not_an_image"),
        ("cut.jpg", lambda p, s: p.write_bytes(cv2.imencode(".jpg", s)[1].tobytes()[:400]), "truncated"),
        ("cut.png", lambda p, s: p.write_bytes(cv2.imencode(".png", s)[1].tobytes()[:300]), "truncated"),
        ("head.png", lambda p, s: p.write_bytes(b"\x89PNG\r\n\x1a\n"), "truncated"),
        ("cut.pdf", lambda p, s: p.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog"), "truncated"),
        ("bomb.png", lambda p, s: p.write_bytes(_png_header_only(100_000, 100_000)), "too_large"),
        ("wide.png", lambda p, s: p.write_bytes(_png_header_only(9_000, 7_000)), "too_large"),
        ("bomb.jpg", lambda p, s: _jpeg_claiming(p, s, 60_000, 60_000), "too_large"),
    ],
)
def test_bad_files_give_a_clear_problem_quickly(tmp_path, sample, name, make, code):
    path = tmp_path / name
    make(path, sample)
    start = time.perf_counter()
    result = load_file(path)
    assert isinstance(result, Problem) and result.code == code
    assert result.message == MESSAGES[code]
    assert time.perf_counter() - start < 2.0  # no hang, no decoding of a bomb


def test_missing_file_and_too_many_pages(tmp_path):
    assert load_file(tmp_path / "nope.png").code == "unreadable"
    path = tmp_path / "many.tif"
    frames = [Image.new("L", (8, 8), i) for i in range(60)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    assert load_file(path).code == "too_large"


def test_sniff():
    assert sniff(b"\xff\xd8\xff\xe0") == "jpeg" and sniff(b"RIFF\0\0\0\0WEBPVP8 ") == "webp"
    assert sniff(b"II*\x00") == sniff(b"MM\x00*") == "tiff"
    assert sniff(b"GIF89a") is None


def test_virtual_camera_plays_the_folder_in_order(tmp_path, sample):
    for name in ("b.png", "a.jpg", "c.tif"):
        _pil(sample).save(tmp_path / name)
    (tmp_path / "readme.txt").write_text("not a capture")
    cam = VirtualCamera(tmp_path)
    assert [c.source for c in cam] == ["a.jpg", "b.png", "c.tif"]
    with pytest.raises(StopIteration):
        cam.read()
    looping = VirtualCamera(tmp_path, loop=True)
    assert [looping.read().source for _ in range(4)] == ["a.jpg", "b.png", "c.tif", "a.jpg"]


def test_file_source_raises_the_problem_of_a_bad_file(tmp_path, sample):
    good, bad = tmp_path / "1.png", tmp_path / "2.jpg"
    _pil(sample).save(good)
    bad.write_bytes(b"")
    source = FileSource([good, bad])
    assert isinstance(source.read(), Capture)
    with pytest.raises(CaptureError) as info:
        source.read()
    assert info.value.problem.code == "empty"


def test_camera_unavailable_is_a_problem_not_a_crash():
    cam = CameraSource(device=97, width=640, height=480, warmup=0)
    with pytest.raises(CaptureError) as info:
        cam.read()
    assert info.value.problem.code == "camera_unavailable"
    assert list(cam) == []
    cam.close()


def test_opencv_camera_reads_frames(tmp_path, sample):
    """``cv2.VideoCapture`` also opens a video file: the same read path as a USB camera."""
    path = tmp_path / "camera.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5, (90, 120))
    if not writer.isOpened():
        pytest.skip("this OpenCV build cannot write MJPG video")
    for _ in range(4):
        writer.write(sample)
    writer.release()
    cam = CameraSource(device=str(path), width=90, height=120, warmup=1)
    frames = list(cam)
    cam.close()
    assert len(frames) == 3 and frames[0].image.shape == sample.shape and frames[0].dpi is None
    assert frames[0].source == f"camera:{path}"
