"""One page through every stage: capture → detect → orient/deskew/straighten a bowed page's
lines (one warp) → desk strips cleared → quality → red ink out → OCR → codes → extract →
gate's doubts settled → classify → compress.

The stages do the work; this module runs them, times each one and turns a stage that
fails into a page with ``ok: false`` and a problem — a caller (the kiosk screen, the CLI,
the benchmark) never sees an exception from a bad capture.

OCR is most of a page's time and runs without the GIL (Tesseract in-process, ONNX
Runtime), so the stages that need only the upright page — the quality gate, the code
reader and compression — run beside it in a worker thread, on the kiosk's second core.
A page the quality gate rejects cancels its OCR; what the gate only doubts (soft print) is
read, and refused only if the reading is not reliable (``settle.settle``). ``timings_ms``
keeps each stage's own time (they overlap) and ``total`` is the wall-clock time of the page.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from shared_schema import MaterialKind, MaterialRequirement

from . import border as border_stage
from . import classify as classify_stage
from . import codes as codes_stage
from . import compress as compress_stage
from . import detect as detect_stage
from . import extract as extract_stage
from . import ink as ink_stage
from . import orient as orient_stage
from . import quality as quality_stage
from . import reread as reread_stage
from . import settle as settle_stage
from . import sources
from .geometry import true_aspect
from .ocr import DEFAULT_ENGINE, OcrEngine, get_engine
from .types import Capture, OcrResult, PageResult, Problem

log = logging.getLogger(__name__)
T = TypeVar("T")
ID_CARD_ASPECT = 85.6 / 54.0
A4_ASPECT = 297 / 210

TARGET_BYTES = {"id_card": 60_000, "a4": 100_000}
STAGE_FAILED = "处理这一页时出错，请重新拍摄。"
OCR_FAILED = "文字识别没有完成，请重新拍摄或请工作人员协助。"
COLOUR_KINDS = (MaterialKind.id_card_front, MaterialKind.id_card_back, MaterialKind.photo)


class _Stop(Exception):
    """A stage produced a problem that makes the rest of the page pointless."""


@dataclass
class _Beside:
    """What the worker thread found while the OCR ran."""

    problems: list[Problem]
    packed: compress_stage.Compressed | None = None
    kind: str = ""
    doubts: list[Problem] = field(default_factory=list)  # the gate's, settled by the reading
    print_hidden: bool = False  # a glare spot washed out print: the material's labels must be read


@dataclass
class Pipeline:
    """Reusable across pages: the OCR engine (and its models) load once."""

    engine: str = DEFAULT_ENGINE
    requirements: list[MaterialRequirement] = field(default_factory=list)
    out_dir: Path | None = None
    gate: Callable[..., quality_stage.QualityReport] = quality_stage.assess  # the bench compares gates
    # told each stage's name as it starts (the server's scan jobs report progress with it)
    on_stage: Callable[[str], None] | None = None
    ocr: OcrEngine = field(init=False)
    _worker: ThreadPoolExecutor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.ocr = get_engine(self.engine)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan-beside")

    @contextmanager
    def _stage(self, page: PageResult, name: str) -> Iterator[None]:
        started = time.perf_counter()
        if self.on_stage is not None:
            self.on_stage(name)
        try:
            yield
        except _Stop:
            raise
        except Exception as exc:  # a stage bug must not crash the batch: report it on the page
            log.exception("scan stage %s failed on %s", name, page.source)
            page.problems.append(Problem(f"{name}_failed", STAGE_FAILED))
            raise _Stop from exc
        finally:
            page.timings_ms[name] = (time.perf_counter() - started) * 1000

    def _run(self, page: PageResult, name: str, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        with self._stage(page, name):
            return fn(*args, **kw)

    def process_file(self, path: str | Path) -> list[PageResult]:
        """Every page of an image or PDF file; a bad file is one page with its problem."""
        page = PageResult(source=Path(path).name)
        try:
            loaded = self._run(page, "load", sources.load_file, Path(path))
        except _Stop:
            return [page]
        if isinstance(loaded, Problem):
            page.problems.append(loaded)
            return [page]
        load_ms = page.timings_ms["load"] / max(1, len(loaded))
        return [self.process(c, PageResult(source=c.source, timings_ms={"load": load_ms})) for c in loaded]

    def process(self, capture: Capture, page: PageResult | None = None) -> PageResult:
        page = page or PageResult(source=capture.source)
        started = time.perf_counter()
        try:
            self._pipeline(capture, page)
        except _Stop:
            page.ok = False
        page.timings_ms["total"] = page.timings_ms.get("load", 0.0) + (time.perf_counter() - started) * 1000
        return page

    def _pipeline(self, capture: Capture, page: PageResult) -> None:
        found = self._run(page, "detect", detect_stage.detect_page, capture.image)
        page.quad = found.quad.round(1).tolist()
        size = page_size(found.quad, capture.image.shape)
        hmat, pixels, smooth = detect_stage.page_warp(found, capture.image.shape, size)
        turned = self._run(
            page, "orient", orient_stage.orient_warp, capture.image, hmat, pixels, smooth=smooth,
            straighten=size == "a4",  # an ID card's few lines: its bends measured were a card edge
        )  # fmt: skip
        page.timings_ms["rectify"] = turned.warp_ms  # the one full-resolution warp, inside orient
        page.timings_ms["dewarp"] = turned.bend_ms  # measuring a bowed page's sag, inside orient
        if turned.bend:
            log.debug("%s: print lines sag %.2f %% of the page, straightened", page.source, 100 * turned.bend)
        page.rotation, page.skew_deg = turned.rotation, turned.skew_deg
        page.image = self._run(page, "border", border_stage.clear_desk, turned.image)
        dpi = float(detect_stage.PAGE_SIZES[size][2])
        cancel = threading.Event()
        # seals out, once: the OCR reads this page and a gray page is stored as read
        reading = self._run(page, "ink", ink_stage.without_red, page.image)
        beside = self._worker.submit(
            self._beside_ocr, page, found, size, capture, cancel, reading,
            codes_image=capture.image if found.method == "none" else page.image,
        )  # fmt: skip
        try:
            page.ocr = self._run(page, "ocr", self._recognize, reading, dpi, cancel)
        finally:
            if page.ocr is None:  # the OCR stage crashed: the worker's results are not wanted
                cancel.set()
            found_beside = beside.result()  # re-raises the worker's _Stop
        if found_beside.problems:
            page.problems += found_beside.problems
            raise _Stop
        if page.ocr.error:
            code = "ocr_timeout" if page.ocr.error == "timeout" else "ocr_failed"
            page.problems.append(Problem(code, OCR_FAILED))
            raise _Stop
        self._understand(page, dpi, reading, size)
        expected = settle_stage.expected_labels(self._requirement(page))  # soft print, glare beside print …
        standing = self._run(
            page, "settle", settle_stage.settle, found_beside.doubts, page.ocr, page.fields, expected,
            found_beside.print_hidden,
        )  # fmt: skip
        if standing:
            page.problems += standing
            raise _Stop
        page.stored = self._run(page, "store", self._store, page, reading, size, found_beside)
        page.ok = True

    def _recognize(self, image: np.ndarray, dpi: float, cancel: threading.Event) -> OcrResult:
        return self.ocr.recognize(image, dpi=dpi, cancel=cancel)

    def _beside_ocr(
        self, page: PageResult, found: Any, size: str, capture: Capture, cancel: threading.Event,
        reading: np.ndarray, codes_image: np.ndarray,
    ) -> _Beside:  # fmt: skip
        """Worker thread: quality gate, then codes and compression, while the OCR runs.

        Codes are read on every page, accepted or not (a resident showing a QR code the
        gate dislikes still gets it read), and on the whole capture when no page was
        found there (``codes_image``): a phone screen or a receipt's QR is no A4 page."""
        try:
            report = self._run(
                page, "quality", self.gate, page.image, found, size, capture.dpi, capture.image
            )  # fmt: skip
            if report.problems:
                cancel.set()  # a rejected page: its text is not wanted, its codes are
            page.barcodes = self._run(page, "codes", codes_stage.read_codes, codes_image)
            if report.problems:
                return _Beside(report.problems)
            kind = "photo" if size == "id_card" else "gray"  # the usual choice; checked once classified
            packed = self._run(page, "compress", self._pack, page.image, reading, kind, size)
            return _Beside([], packed, kind, report.doubts, report.print_hidden)
        except BaseException:
            cancel.set()
            raise

    def _understand(self, page: PageResult, dpi: float, reading: np.ndarray, size: str) -> None:
        """Fields and material from the text and codes (cheap: ~10–20 ms). The material's
        paper size is the page's whole size: a page the frame cut is warped only as far as
        it is shown (``detect.shown_mm``), so its proportions are no clue."""
        text = page.ocr.text
        whole = detect_stage.page_pixels(size)[::-1]
        page.fields = self._run(page, "extract", extract_stage.extract, text, page.barcodes).fields
        if page.ocr.words and ("id_number" not in page.fields or "uscc" not in page.fields):
            page.fields = self._run(
                page, "reread", reread_stage.reread_identifiers, reading, page.ocr, page.fields,
                self.ocr, dpi, original=page.image,
            )  # fmt: skip
        if self.requirements:
            page.material = self._run(
                page, "classify", classify_stage.classify, text, self.requirements,
                barcodes=page.barcodes, image_shape=whole, fields=page.fields,
            )  # fmt: skip

    def _requirement(self, page: PageResult) -> MaterialRequirement | None:
        code = page.material.code if page.material else None
        return next((r for r in self.requirements if r.code == code), None)

    def _store(self, page: PageResult, reading: np.ndarray, size: str, beside: _Beside) -> dict[str, Any]:
        """Compress for upload (unless the worker already did it in the right kind); the
        file is named by its content hash, as the submission manifest does."""
        kind = self._compress_kind(page)
        packed = beside.packed
        if packed is None or beside.kind != kind:
            packed = self._pack(page.image, reading, kind, size)
        path = None
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            target = self.out_dir / f"{hashlib.sha256(packed.data).hexdigest()}.{packed.format}"
            target.write_bytes(packed.data)
            path = str(target)
        return {"path": path, "bytes": packed.size, "width": packed.width, "height": packed.height,
                "format": packed.format}  # fmt: skip

    def _pack(
        self, image: np.ndarray, reading: np.ndarray, kind: str, size: str
    ) -> compress_stage.Compressed:
        """A text page is stored exactly as the OCR engine read it (``OcrEngine.prepare`` of
        ``reading``, the page with red ink out): RapidOCR reads the gray page as it is, and
        storing Tesseract's light-corrected input instead made PP-OCR drop whole lines on
        the stored page (CER +15 points). A colour page keeps its seal (``image``)."""
        if kind == "gray":
            image = self.ocr.prepare(reading)
        return compress_stage.compress(image, kind, TARGET_BYTES[size])

    def _compress_kind(self, page: PageResult) -> str:
        """Colour for cards, photos and materials the catalog says to keep in colour; gray
        WebP of the page as the OCR read it for text pages: bilevel PNG is 5× smaller but
        raised Tesseract's CER on the stored page by up to 72 points on blurry, shadowed
        captures (docs/scanning.md)."""
        req = self._requirement(page)
        if req is None:
            return "photo" if page.image is not None and page.image.shape[1] < 1200 else "gray"
        return "photo" if req.hints.colour or req.hints.kind in COLOUR_KINDS else "gray"


def page_size(quad: np.ndarray, frame_shape: tuple[int, ...]) -> str:
    """ID card or A4, from the page's true aspect ratio.

    Perspective foreshortens one side by up to cos 30°, enough to make an A4 page look
    card-shaped, so the ratio is recovered with the rectangle constraint of Zhang & He
    ("Whiteboard scanning", 2007), taking the principal point at the frame centre; with
    no measurable perspective the plain side ratio is used.
    """
    ratio = true_aspect(np.asarray(quad, dtype=float), frame_shape)
    return "id_card" if abs(ratio - ID_CARD_ASPECT) < abs(ratio - A4_ASPECT) else "a4"
