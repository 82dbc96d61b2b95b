"""Capture sources: where page images come from, behind one small interface.

Files (JPEG/PNG/TIFF incl. multi-page, BMP, WebP, PDF rendered at a chosen DPI), an OpenCV
camera (index or device path, resolution from the hardware profile) and a virtual camera
that plays a folder of images in order (tests and the demo run the kiosk with it).

Files come from residents' phones and USB sticks, so decoding is defensive: the format is
sniffed, the pixel count is read from the header and checked before any decoding (a 100 kB
PNG can claim 10 gigapixels), page counts are capped, and every failure is a ``Problem``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from .types import Capture, Problem

log = logging.getLogger(__name__)

MAX_PIXELS = 60_000_000  # per page; a 12 MP camera frame is far below, a bomb far above
MAX_PAGES = 50  # per file
MAX_TOTAL_PIXELS = 120_000_000  # per file: 30 A4 pages at 200 dpi; bounds memory (~360 MB BGR)
PDF_DPI = 200  # PDF pages are rendered at the DPI the rest of the pipeline works at

MESSAGES = {
    "empty": "文件是空的，请重新选择文件",
    "not_an_image": "这不是图片或PDF文件，请换一个文件",
    "truncated": "文件不完整或已损坏，请重新拍摄或重新上传",
    "too_large": "文件太大，请缩小图片或减少页数后再上传",
    "unreadable": "文件无法读取，请重新选择文件",
    "camera_unavailable": "摄像头无法使用，请联系工作人员",
}

_MAGIC = {
    b"\xff\xd8\xff": "jpeg",
    b"\x89PNG\r\n\x1a\n": "png",
    b"II*\x00": "tiff",
    b"MM\x00*": "tiff",
    b"%PDF-": "pdf",
    b"BM": "bmp",
}


def problem(code: str) -> Problem:
    return Problem(code, MESSAGES[code])


class CaptureError(Exception):
    """A source could not deliver a capture; ``problem`` says why, for the resident."""

    def __init__(self, problem: Problem, detail: str = "") -> None:
        super().__init__(f"{problem.code}: {detail}" if detail else problem.code)
        self.problem = problem


class CaptureSource(Protocol):
    """Anything that hands out captures one by one."""

    def read(self) -> Capture: ...  # raises CaptureError; StopIteration when exhausted

    def __iter__(self) -> Iterator[Capture]: ...

    def close(self) -> None: ...


def sniff(head: bytes) -> str | None:
    """The file format from its first bytes (extensions lie), or None."""
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _plausible_dpi(info: dict) -> float | None:
    """A file's stated DPI, unless it is a software default that says nothing (72, 96)."""
    dpi = info.get("dpi")
    try:
        value = float(dpi[0] if isinstance(dpi, tuple) else dpi)
    except (TypeError, ValueError, IndexError):
        return None
    return value if 100 <= value <= 2400 else None


def _to_array(frame: Image.Image) -> np.ndarray:
    """PIL frame → OpenCV array: gray stays one channel, everything else becomes BGR."""
    if frame.mode in ("1", "L", "I;16", "I;16B", "I", "F"):
        if frame.mode in ("I;16", "I;16B", "I", "F"):
            arr = np.asarray(frame, dtype=np.float64)
            top = 65535.0 if frame.mode.startswith("I;16") or arr.max() > 255 else 255.0
            return np.clip(arr * (255.0 / top), 0, 255).astype(np.uint8)
        return np.asarray(frame.convert("L"))
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, rgba)  # transparent parts are paper, not black
    return cv2.cvtColor(np.asarray(frame.convert("RGB")), cv2.COLOR_RGB2BGR)


def _jpeg_complete(path: Path) -> bool:
    """Does the file end with the JPEG end-of-image marker? OpenCV would quietly decode a
    cut-off JPEG with grey at the bottom; PIL notices, so anything else goes through PIL."""
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - 2))
        return fh.read(2) == b"\xff\xd9"


def _decode_jpeg(path: Path) -> np.ndarray | None:
    """Fast full decode (3× quicker than PIL plus its copy into numpy on a 12 MP frame);
    OpenCV applies the EXIF orientation itself."""
    return cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_COLOR)


def _load_raster(path: Path, name: str) -> list[Capture] | Problem:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                out, total = [], 0
                for index, frame in enumerate(ImageSequence.Iterator(im)):
                    w, h = frame.size
                    total += w * h
                    if index >= MAX_PAGES or w * h > MAX_PIXELS or total > MAX_TOTAL_PIXELS:
                        return problem("too_large")
                    if w <= 0 or h <= 0:
                        return problem("truncated")
                    if im.format == "JPEG" and _jpeg_complete(path):
                        image = _decode_jpeg(path)  # libjpeg-turbo, and no PIL→numpy copy
                        if image is not None:
                            return [Capture(image, name, _plausible_dpi(im.info))]
                    frame.load()
                    upright = ImageOps.exif_transpose(frame) if index == 0 else frame
                    source = name if index == 0 and getattr(im, "n_frames", 1) == 1 else f"{name}#{index + 1}"
                    out.append(Capture(_to_array(upright), source, _plausible_dpi(frame.info)))
                return out
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return problem("too_large")
    except UnidentifiedImageError:
        return problem("truncated")  # the magic bytes matched, the rest did not parse
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # PIL's ways of saying "cut short"
        log.info("cannot decode %s: %s", name, exc)
        return problem("truncated")
    except MemoryError:
        return problem("too_large")


def _load_pdf(path: Path, name: str, dpi: int) -> list[Capture] | Problem:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        log.info("cannot open PDF %s: %s", name, exc)
        return problem("truncated")
    try:
        if len(pdf) == 0:
            return problem("truncated")
        if len(pdf) > MAX_PAGES:
            return problem("too_large")
        out, total = [], 0.0
        for index in range(len(pdf)):
            page = pdf[index]
            w_pt, h_pt = page.get_size()
            pixels = (w_pt * dpi / 72) * (h_pt * dpi / 72)
            total += pixels
            if pixels > MAX_PIXELS or total > MAX_TOTAL_PIXELS:
                return problem("too_large")
            bitmap = page.render(scale=dpi / 72, grayscale=False)
            arr = bitmap.to_numpy()
            bgr = cv2.cvtColor(arr, cv2.COLOR_BGRA2BGR) if arr.shape[2] == 4 else arr.copy()
            out.append(Capture(bgr, f"{name}#{index + 1}", float(dpi)))
        return out
    except pdfium.PdfiumError as exc:
        log.info("cannot render PDF %s: %s", name, exc)
        return problem("truncated")
    finally:
        pdf.close()


def load_file(path: str | Path, pdf_dpi: int = PDF_DPI) -> list[Capture] | Problem:
    """All pages of an image or PDF file as captures, or the one problem that stops it."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        log.info("cannot read %s: %s", p, exc)
        return problem("unreadable")
    if not head:
        return problem("empty")
    kind = sniff(head)
    if kind is None:
        return problem("not_an_image")
    if kind == "pdf":
        return _load_pdf(p, p.name, pdf_dpi)
    return _load_raster(p, p.name)


class _Source:
    """Iteration over ``read`` until the source says it has nothing more (``_ends``)."""

    _ends: tuple[type[BaseException], ...] = (StopIteration,)

    def read(self) -> Capture:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Capture]:
        while True:
            try:
                yield self.read()
            except self._ends:
                return


class FileSource(_Source):
    """The pages of some files, one capture per ``read``; a bad file raises its problem
    (iteration stops with it too: the caller decides whether to skip or report it)."""

    def __init__(self, paths: list[str | Path], pdf_dpi: int = PDF_DPI, loop: bool = False) -> None:
        self.paths = [Path(p) for p in paths]
        self.pdf_dpi = pdf_dpi
        self.loop = loop
        self._file = 0
        self._pending: list[Capture] = []

    def read(self) -> Capture:
        while not self._pending:
            if self._file >= len(self.paths):
                if not self.loop or not self.paths:
                    raise StopIteration
                self._file = 0
            path = self.paths[self._file]
            self._file += 1
            loaded = load_file(path, self.pdf_dpi)
            if isinstance(loaded, Problem):
                raise CaptureError(loaded, str(path))
            self._pending = loaded
        return self._pending.pop(0)

    def close(self) -> None:
        self._pending = []


IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".pdf"}


class VirtualCamera(FileSource):
    """A camera that "sees" the images of a folder, in name order: the kiosk's stand-in
    for a document camera in tests and the demo (a real source, reading real files)."""

    def __init__(self, folder: str | Path, loop: bool = False, pdf_dpi: int = PDF_DPI) -> None:
        files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        super().__init__(files, pdf_dpi=pdf_dpi, loop=loop)


class CameraSource(_Source):
    """An OpenCV camera: device index (or path/URL) and resolution from the hardware profile.

    The first frames after opening are dark or mis-exposed while auto exposure settles,
    so ``warmup`` frames are dropped once. Iteration ends when the camera gives no frame.
    """

    _ends = (CaptureError,)

    def __init__(self, device: int | str = 0, width: int = 3264, height: int = 2448, warmup: int = 5) -> None:
        self.device, self.width, self.height, self.warmup = device, width, height, warmup
        self._cap: cv2.VideoCapture | None = None

    def _open(self) -> cv2.VideoCapture:
        if self._cap is None:
            cap = cv2.VideoCapture(self.device)
            if not cap.isOpened():
                cap.release()
                raise CaptureError(problem("camera_unavailable"), f"cannot open camera {self.device!r}")
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            for _ in range(self.warmup):
                cap.grab()
            self._cap = cap
        return self._cap

    def read(self) -> Capture:
        ok, frame = self._open().read()
        if not ok or frame is None:
            raise CaptureError(problem("camera_unavailable"), f"camera {self.device!r} gave no frame")
        return Capture(frame, f"camera:{self.device}", None)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
