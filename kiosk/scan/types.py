"""Data passed between scan stages. Each stage is a small module with one job; these
types are their common language, so stages can be composed, swapped and tested alone.

Images are OpenCV arrays (``numpy.ndarray``, BGR ``uint8`` or single-channel gray).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the kiosk app imports these types but never holds an image: no numpy there
    import numpy as np


@dataclass(frozen=True)
class Problem:
    """Why a capture or page is not good enough.

    ``code`` is a stable reason code for programs (``blurry``, ``too_dark``, ``glare``,
    ``cut_off``, ``low_resolution``, ``not_an_image``, ``too_large`` …); ``message`` is
    short Chinese telling the resident what to do ("请把材料放平").
    """

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class Capture:
    """One frame as the camera, scanner or file delivered it, before any correction."""

    image: np.ndarray
    source: str
    dpi: float | None = None  # known for scanners and files with metadata; None for cameras


@dataclass
class Barcode:
    type: str  # e.g. QRCODE, CODE128
    data: str
    engine: str = ""  # which reader decoded it


@dataclass
class OcrWord:
    """One recognised word (Tesseract) with its box, so a field can be re-read as a crop."""

    text: str
    confidence: float
    box: tuple[int, int, int, int]  # left, top, width, height in the page's pixels
    line: int  # index into ``OcrResult.lines``


@dataclass
class OcrResult:
    text: str
    confidence: float | None  # mean word confidence 0–100, None when the engine has none
    engine: str
    lines: list[str] = field(default_factory=list)
    error: str | None = None  # e.g. "timeout": the engine gave up; text is then empty
    words: list[OcrWord] = field(default_factory=list)  # empty when the engine gives no boxes


@dataclass
class MaterialMatch:
    code: str | None  # MaterialRequirement.code, None when nothing fits
    confidence: float  # 0..1
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class PageResult:
    """Everything the pipeline learned about one page; ``to_dict`` is the CLI contract."""

    source: str
    ok: bool = False
    problems: list[Problem] = field(default_factory=list)
    rotation: int = 0  # degrees clockwise applied to make the page upright: 0/90/180/270
    skew_deg: float = 0.0
    quad: list[list[float]] | None = None  # page corners in the capture, TL TR BR BL
    image: np.ndarray | None = None  # the rectified, upright page
    ocr: OcrResult | None = None
    barcodes: list[Barcode] = field(default_factory=list)
    material: MaterialMatch | None = None
    fields: dict[str, str] = field(default_factory=dict)
    stored: dict[str, Any] | None = None  # {"path","bytes","width","height","format"}
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ok": self.ok,
            "problems": [p.to_dict() for p in self.problems],
            "rotation": self.rotation,
            "skew_deg": round(self.skew_deg, 2),
            "quad": self.quad,
            "text": self.ocr.text if self.ocr else "",
            "ocr_confidence": self.ocr.confidence if self.ocr else None,
            "barcodes": [{"type": b.type, "data": b.data} for b in self.barcodes],
            "material": (
                {"code": self.material.code, "confidence": round(self.material.confidence, 3)}
                if self.material
                else None
            ),
            "fields": dict(self.fields),
            "image": self.stored,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
