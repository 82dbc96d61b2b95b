"""The real scan pipeline (``kiosk/scan``) fitted to the visit's Scanner and Completeness.

The pipeline returns a :class:`~kiosk.scan.types.PageResult`; the visit keeps the
stored (compressed) image bytes and what was learned about the page.
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared_schema import CompletenessResult, Matter

from ..memory import trim
from .ports import ScannedPage, SuppliedMaterial

if TYPE_CHECKING:  # OpenCV, the pipeline and its OCR load on first use (or preload), not at launch
    import numpy as np

    from ..hardware.camera import Still


def media_type(data: bytes) -> str:
    """The image type from the bytes' magic number: the server checks it against the
    declared type, and the pipeline may store WebP, PNG or TIFF as well as JPEG."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    return "image/jpeg"


def to_scanned(result: Any) -> ScannedPage:
    """PageResult → ScannedPage; the bytes are those the pipeline stored for upload."""
    problems = [(p.code, p.message) for p in result.problems]
    data, suffix, width, height = b"", ".jpg", 0, 0
    stored = result.stored or {}
    if stored.get("path"):
        path = Path(stored["path"])
        data, suffix = path.read_bytes(), path.suffix or ".jpg"
        path.unlink(missing_ok=True)  # the visit keeps its own copy; no stray page images
        width, height = int(stored.get("width") or 0), int(stored.get("height") or 0)
    elif result.image is not None:
        import cv2

        ok, buf = cv2.imencode(".jpg", result.image, [cv2.IMWRITE_JPEG_QUALITY, 80])
        data = buf.tobytes() if ok else b""
        height, width = result.image.shape[:2]
    content_type = media_type(data)
    return ScannedPage(
        ok=bool(result.ok and data),
        problems=problems,
        data=data,
        suffix=suffix,
        content_type=content_type,
        width=width,
        height=height,
        material_guess=result.material.code if result.material else None,
        confidence=result.material.confidence if result.material else 0.0,
        ocr_text=result.ocr.text if result.ocr else "",
        ocr_confidence=result.ocr.confidence if result.ocr else None,
        fields=dict(result.fields),
    )


class PipelineScanner:
    """Runs ``kiosk.scan.pipeline`` on a frame (call from a worker thread: it is slow).

    One pipeline for the kiosk's life, so the OCR engine loads once; the matter's
    material list is set per scan (scans of one kiosk never run concurrently).
    """

    def __init__(self, work_dir: Path, engine: str | None = None) -> None:
        self.work_dir = Path(work_dir)
        self.engine = engine  # None: the pipeline's default engine
        self.work_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.work_dir.iterdir():  # page images left by a crash: nobody's now
            if stale.is_file():
                stale.unlink()
        self._pipeline: Any = None  # created on first use: OCR engines are slow to load
        self._lock = threading.Lock()
        self.ready = threading.Event()

    def _loaded(self) -> Any:
        if self._pipeline is None:
            pipeline = importlib.import_module("kiosk.scan.pipeline").Pipeline
            engine = {"engine": self.engine} if self.engine else {}
            self._pipeline = pipeline(out_dir=self.work_dir, **engine)
            importlib.import_module("kiosk.scan.codes")
            self.ready.set()
        return self._pipeline

    def preload(self) -> None:
        """Import OpenCV and the pipeline now (a background thread, after Home is shown)."""
        with self._lock:
            self._loaded()

    def scan(self, image: Still | np.ndarray, source: str, matter: Matter | None) -> ScannedPage:
        from kiosk.scan.types import Capture

        with self._lock:
            pipeline = self._loaded()
            pipeline.requirements = list(matter.guide.materials) if matter else []
            capture = Capture(image=_pixels(image), source=source)  # the pixels' only holder
            result = pipeline.process(capture)
            del capture
            page = to_scanned(result)
            del result
            trim()  # the page's full-size intermediates are freed: return them to the system
        return page

    def codes(self, image: Still | np.ndarray) -> list[str]:
        from kiosk.scan.codes import read_codes

        pixels = _pixels(image)
        try:
            return [code.data for code in read_codes(pixels)]
        finally:
            del pixels
            trim()


def _pixels(image: Still | np.ndarray) -> np.ndarray:
    from ..hardware.camera import read_still

    pixels = read_still(image)
    if pixels is None:
        raise ValueError(f"the capture cannot be read: {getattr(image, 'path', '?')}")
    return pixels


class PipelineCompleteness:
    """The scan package's completeness check (一次性告知) for a matter."""

    def check(
        self, matter: Matter, supplied: list[SuppliedMaterial], answers: dict[str, bool], applicant: dict
    ) -> CompletenessResult:
        from kiosk.scan.types import PageResult

        pages = {
            item.code: [PageResult(source=item.code, ok=True, fields=dict(f)) for f in item.fields]
            for item in supplied
        }
        module = importlib.import_module("kiosk.scan.completeness")
        return module.check_completeness(matter, pages, applicant.get("id_number") or None, answers)
