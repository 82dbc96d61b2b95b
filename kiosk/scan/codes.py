"""QR codes and barcodes behind one interface: zxing-cpp first, second passes when it
reads nothing.

zxing-cpp hands over the raw payload bytes, so a GB18030/GB2312 payload (common on older
Chinese certificates) is decoded right (``payload.decode_payload``), where zbar guesses a
Big5/Shift-JIS charset and garbles it. ``read_codes`` runs zxing-cpp with its defaults
first — on a page where that finds a code, the cascade costs nothing more. When it finds
nothing, ``code_passes`` looks for QR finder-like marks (~10 ms on an A4 page) and only
around them tries the second passes (another binariser, contrast equalisation, ×2
upscale, zbar): a page with no code stays near zxing's own time. Measured on 56 real
photographs and on synthetic A4 pages in ``bench/codes.py`` (docs/scanning.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .ocr.base import to_gray
from .payload import decode_payload
from .types import Barcode

log = logging.getLogger(__name__)
__all__ = ["READERS", "Located", "ZbarReader", "ZxingReader", "decode_payload", "merge", "read_codes"]


@dataclass
class Located:
    """A decoded symbol with its bounding box, so two readers' results can be matched."""

    code: Barcode
    box: tuple[float, float, float, float]  # x0, y0, x1, y1

    def shifted(self, dx: float, dy: float, scale: float = 1.0) -> Located:
        """The same symbol in the coordinates of the image a crop/resize came from."""
        x0, y0, x1, y1 = self.box
        return Located(self.code, (x0 / scale + dx, y0 / scale + dy, x1 / scale + dx, y1 / scale + dy))


class CodeReader(Protocol):
    name: str

    def read(self, gray: np.ndarray) -> list[Located]: ...


def _box(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


class ZxingReader:
    """zxing-cpp; ``options`` go to ``zxingcpp.read_barcodes`` (formats, binarizer, …)."""

    name = "zxing"

    def __init__(self, **options: object) -> None:
        self.options = options

    def read(self, gray: np.ndarray) -> list[Located]:
        import zxingcpp

        out = []
        for r in zxingcpp.read_barcodes(np.ascontiguousarray(gray), **self.options):
            pos = r.position
            corners = [(p.x, p.y) for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)]
            code = Barcode(type=r.format.name.upper(), data=decode_payload(bytes(r.bytes)), engine=self.name)
            out.append(Located(code, _box(corners)))
        return out


class ZbarReader:
    """zbar (pyzbar); ``qr_only`` skips its 1-D scanners, most of its time on a page."""

    name = "zbar"

    def __init__(self, qr_only: bool = False) -> None:
        self.qr_only = qr_only

    def read(self, gray: np.ndarray) -> list[Located]:
        from pyzbar import pyzbar

        symbols = [pyzbar.ZBarSymbol.QRCODE] if self.qr_only else None
        out = []
        for d in pyzbar.decode(np.ascontiguousarray(gray), symbols=symbols):
            corners = [(p.x, p.y) for p in d.polygon] or [
                (d.rect.left, d.rect.top),
                (d.rect.left + d.rect.width, d.rect.top + d.rect.height),
            ]
            code = Barcode(
                type=d.type.replace("-", "").upper(), data=decode_payload(d.data), engine=self.name
            )
            out.append(Located(code, _box(corners)))
        return out


READERS: dict[str, type] = {"zxing": ZxingReader, "zbar": ZbarReader}
DEFAULT_READERS = ("zxing",)


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    return ix > 0 and iy > 0


def merge(found: list[Located]) -> list[Barcode]:
    """First reader wins: a later result is dropped when it repeats a payload or when
    another reader already decoded a symbol there (zbar's garbled reading of a GB18030 QR
    code, say). One reader's overlapping symbols are all kept: a code printed inside
    another ("double QR") is two codes."""
    kept: list[Located] = []
    for item in found:
        if any(
            k.code.data == item.code.data
            or (k.code.engine != item.code.engine and _overlaps(k.box, item.box))
            for k in kept
        ):
            continue
        kept.append(item)
    return [k.code for k in kept]


def first_pass(gray: np.ndarray, readers: tuple[str, ...] = DEFAULT_READERS) -> list[Located]:
    """Each reader with its defaults. A native reader that raises is logged and skipped,
    so one broken library does not hide what the other read."""
    found: list[Located] = []
    for name in readers:
        try:
            found.extend(READERS[name]().read(gray))
        except Exception:
            log.exception("code reader %s failed", name)
    return found


def read_codes(
    image: np.ndarray, readers: tuple[str, ...] = DEFAULT_READERS, second_passes: bool = True
) -> list[Barcode]:
    """Every QR code and barcode on the image, each once: the first pass, and the second
    passes (``code_passes``) only when the first read nothing."""
    from .code_passes import second_look

    gray = np.ascontiguousarray(to_gray(image))
    found = first_pass(gray, readers)
    if not found and second_passes:
        found = second_look(gray)
    return merge(found)
