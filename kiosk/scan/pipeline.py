"""One page through every stage: capture → detect+warp → orient/deskew → quality → OCR →
codes → classify → extract → compress.

The stages do the work; this module only runs them in order, times each one and turns a
stage that fails into a page with ``ok: false`` and a problem — a caller (the kiosk
screen, the CLI, the benchmark) never sees an exception from a bad capture.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from shared_schema import MaterialKind, MaterialRequirement

from . import classify as classify_stage
from . import codes as codes_stage
from . import compress as compress_stage
from . import detect as detect_stage
from . import extract as extract_stage
from . import orient as orient_stage
from . import quality as quality_stage
from . import sources
from .ocr import DEFAULT_ENGINE, OcrEngine, get_engine
from .types import Capture, PageResult, Problem

log = logging.getLogger(__name__)
T = TypeVar("T")
ID_CARD_ASPECT = 85.6 / 54.0
A4_ASPECT = 297 / 210

STAGE_FAILED = "处理这一页时出错，请重新拍摄。"
OCR_TIMEOUT = "文字识别超时，请重新拍摄或请工作人员协助。"


class _Stop(Exception):
    """A stage produced a problem that makes the rest of the page pointless."""


@dataclass
class Pipeline:
    """Reusable across pages: the OCR engine (and its models) load once."""

    engine: str = DEFAULT_ENGINE
    requirements: list[MaterialRequirement] = field(default_factory=list)
    out_dir: Path | None = None
    ocr: OcrEngine = field(init=False)

    def __post_init__(self) -> None:
        self.ocr = get_engine(self.engine)

    @contextmanager
    def _stage(self, page: PageResult, name: str) -> Iterator[None]:
        started = time.perf_counter()
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

    def process_file(self, path: str | Path) -> PageResult:
        page = PageResult(source=str(path))
        try:
            loaded = self._run(page, "load", sources.load_file, Path(path))
        except _Stop:
            return page
        if isinstance(loaded, Problem):
            page.problems.append(loaded)
            return page
        return self.process(loaded, page)

    def process(self, capture: Capture, page: PageResult | None = None) -> PageResult:
        page = page or PageResult(source=capture.source)
        try:
            self._pipeline(capture, page)
        except _Stop:
            page.ok = False
        page.timings_ms["total"] = sum(v for k, v in page.timings_ms.items() if k != "total")
        return page

    def _pipeline(self, capture: Capture, page: PageResult) -> None:
        found = self._run(page, "detect", detect_stage.detect_page, capture.image)
        page.quad = found.quad.round(1).tolist()
        size = page_size(found.quad)
        flat = self._run(page, "rectify", detect_stage.rectify, capture.image, found.quad, size)
        dpi = float(detect_stage.PAGE_SIZES[size][2])
        turned = self._run(page, "orient", orient_stage.orient, flat)
        page.image, page.rotation, page.skew_deg = turned.image, turned.rotation, turned.skew_deg
        page.problems += self._run(page, "quality", quality_stage.check, capture, found, page.image, dpi)
        if page.problems:
            raise _Stop
        page.ocr = self._run(page, "ocr", self.ocr.recognize, page.image, dpi=dpi)
        if page.ocr.error:
            page.problems.append(
                Problem("ocr_timeout" if page.ocr.error == "timeout" else "ocr_failed", OCR_TIMEOUT)
            )
            raise _Stop
        page.barcodes = self._run(page, "codes", codes_stage.read_codes, page.image)
        page.fields = self._run(page, "extract", extract_stage.extract, page.ocr.text, page.barcodes).fields
        if self.requirements:
            page.material = self._run(
                page, "classify", classify_stage.classify, page.ocr.text, self.requirements,
                barcodes=page.barcodes, image_shape=page.image.shape, fields=page.fields,
            )  # fmt: skip
        kind = self._kind_of(page)
        page.stored = self._run(page, "compress", compress_stage.store, page.image, kind, dpi, self.out_dir)
        page.ok = True

    def _kind_of(self, page: PageResult) -> MaterialKind:
        code = page.material.code if page.material else None
        for req in self.requirements:
            if req.code == code:
                return req.hints.kind
        return MaterialKind.document


def page_size(quad: np.ndarray) -> str:
    """ID card or A4, from the shape of the page as seen (perspective shortens one side)."""
    q = np.asarray(quad, dtype=float)
    across = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    down = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    ratio = max(across, down) / max(1.0, min(across, down))
    return "id_card" if abs(ratio - ID_CARD_ASPECT) < abs(ratio - A4_ASPECT) else "a4"
