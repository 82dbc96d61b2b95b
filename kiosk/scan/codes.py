"""QR codes and barcodes behind one interface: zxing-cpp by default, zbar on request.

Measured on photographed synthetic codes (``bench/codes.py``, docs/scanning.md): zxing-cpp
read 164 of 240, zbar 91. zxing hands over the raw payload bytes, so a GB18030/GB2312
payload (common on older Chinese certificates) is decoded right, where zbar guesses a
Big5/Shift-JIS charset and returns garbled text or nothing; zxing also reads more of the
dim and noisy codes. zbar found one steeply tilted code zxing missed (165 with both) but
costs as much again per page (~130 ms on an A4 page here), so it is not in the default
set; ``read_codes(image, readers=("zxing", "zbar"))`` runs both and deduplicates by
position and payload (zxing's reading wins).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .ocr.base import to_gray
from .types import Barcode


@dataclass
class Located:
    """A decoded symbol with its bounding box, so two readers' results can be matched."""

    code: Barcode
    box: tuple[float, float, float, float]  # x0, y0, x1, y1


class CodeReader(Protocol):
    name: str

    def read(self, gray: np.ndarray) -> list[Located]: ...


def decode_payload(raw: bytes) -> str:
    """Payload bytes → text: UTF-8 when valid, else GB18030 (a superset of GB2312)."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _box(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


class ZxingReader:
    name = "zxing"

    def read(self, gray: np.ndarray) -> list[Located]:
        import zxingcpp

        out = []
        for r in zxingcpp.read_barcodes(gray):
            pos = r.position
            corners = [(p.x, p.y) for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)]
            code = Barcode(type=r.format.name.upper(), data=decode_payload(bytes(r.bytes)), engine=self.name)
            out.append(Located(code, _box(corners)))
        return out


class ZbarReader:
    name = "zbar"

    def read(self, gray: np.ndarray) -> list[Located]:
        from pyzbar import pyzbar

        out = []
        for d in pyzbar.decode(gray):
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
    """First reader wins: a later result is dropped when it repeats a payload or sits on a
    symbol already decoded (zbar's garbled reading of a GB18030 QR code, say)."""
    kept: list[Located] = []
    for item in found:
        if any(k.code.data == item.code.data or _overlaps(k.box, item.box) for k in kept):
            continue
        kept.append(item)
    return [k.code for k in kept]


def read_codes(image: np.ndarray, readers: tuple[str, ...] = DEFAULT_READERS) -> list[Barcode]:
    """Every QR code and barcode on the image, each once. A reader that fails is skipped."""
    gray = np.ascontiguousarray(to_gray(image))
    found: list[Located] = []
    for name in readers:
        try:
            found.extend(READERS[name]().read(gray))
        except Exception:  # a broken native reader must not take the page down with it
            continue
    return merge(found)
