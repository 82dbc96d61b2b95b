"""Second passes for a code zxing-cpp's first pass missed, only where a code may be.

Each pass fixes one way real photos defeat the first pass (measured per pass on the 56
real photographs, ``bench/codes.py``): a global-histogram binariser for codes under
texture or uneven print, contrast equalisation (CLAHE) for faint codes, a ×2 upscale for
codes of under ~3 px per module, and zbar, whose scanline decoder reads some worn or
engraved codes zxing's detector loses. They run on a crop around finder-like marks
(``finders``), in that order, and stop at the first pass that reads something: on a page
with no finder-like mark nothing runs, so a page without a code costs the first pass plus
the finder search. A lone mark buys nothing either (``paired``): a QR code has three
finders, while a checked box (▣) on an application form is one, and the five passes round it
cost 60 ms of CPU on every such form (``read_codes`` 155 → 95 ms, best of 5).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from .codes import Located, ZbarReader, ZxingReader
from .finders import Finder, find_finders

log = logging.getLogger(__name__)
REACH = 8.0  # a code spans up to ~8 finder widths (version 10: 57 modules, finder 7)
MAX_UPSCALE_PIXELS = 1_500_000  # ×2 of a larger crop costs more than the first pass of a page
CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))


def _matrix_zxing(**options: object) -> ZxingReader:
    import zxingcpp

    return ZxingReader(formats=zxingcpp.BarcodeFormat.MatrixCodes, **options)


def _global_histogram(gray: np.ndarray) -> list[Located]:
    import zxingcpp

    return _matrix_zxing(binarizer=zxingcpp.Binarizer.GlobalHistogram).read(gray)


def _equalised(gray: np.ndarray) -> list[Located]:
    return _matrix_zxing().read(CLAHE.apply(gray))


def _upscaled(reader: Callable[[np.ndarray], list[Located]]) -> Callable[[np.ndarray], list[Located]]:
    def run(gray: np.ndarray) -> list[Located]:
        if gray.size > MAX_UPSCALE_PIXELS:
            return []
        big = cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        return [hit.shifted(0, 0, 2.0) for hit in reader(big)]

    return run


def _zxing(gray: np.ndarray) -> list[Located]:
    return _matrix_zxing().read(gray)


def _zbar(gray: np.ndarray) -> list[Located]:
    """zbar's ASCII payloads only: zbar hands over text in the charset it guessed, not the
    bytes, and garbled every GB18030 payload it read (0/60 right, ``bench/codes.py``) — a
    wrong payload is worse than none."""
    return [hit for hit in ZbarReader(qr_only=True).read(gray) if hit.code.data.isascii()]


@dataclass(frozen=True)
class Pass:
    name: str
    run: Callable[[np.ndarray], list[Located]]


PASSES: tuple[Pass, ...] = (
    Pass("zxing global histogram", _global_histogram),
    Pass("zxing equalised", _equalised),
    Pass("zxing ×2", _upscaled(_zxing)),
    Pass("zbar", _zbar),
    Pass("zbar ×2", _upscaled(_zbar)),
)


def code_region(finders: list[Finder], shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """x0, y0, x1, y1 covering every code the finder-like marks could belong to."""
    h, w = shape[:2]
    x0 = min(f.x - REACH * f.side for f in finders)
    y0 = min(f.y - REACH * f.side for f in finders)
    x1 = max(f.x + REACH * f.side for f in finders)
    y1 = max(f.y + REACH * f.side for f in finders)
    return max(0, int(x0)), max(0, int(y0)), min(w, int(x1) + 1), min(h, int(y1) + 1)


def paired(finders: list[Finder]) -> list[Finder]:
    """The marks that have another of about their size where a second finder of the same
    code would be: from 1.5 sides away (version 1: 14 modules between centres, two finder
    sides) to ``REACH`` sides. The same mark found by both binarisations (closer than 1.5
    sides) is no partner; a Micro QR code (one finder) is left to the first pass."""
    out = []
    for f in finders:
        for g in finders:
            apart = np.hypot(f.x - g.x, f.y - g.y)
            if 0.5 <= g.side / f.side <= 2.0 and 1.5 * f.side <= apart <= REACH * f.side:
                out.append(f)
                break
    return out


def second_look(gray: np.ndarray, passes: tuple[Pass, ...] = PASSES) -> list[Located]:
    """The first pass that reads something around finder-like marks that could be one
    code's (``paired``); [] without any."""
    finders = paired(find_finders(gray))
    if not finders:
        return []
    x0, y0, x1, y1 = code_region(finders, gray.shape)
    crop = np.ascontiguousarray(gray[y0:y1, x0:x1])
    for p in passes:
        try:
            hits = p.run(crop)
        except Exception:  # one broken native reader must not hide the other passes
            log.exception("code pass %s failed", p.name)
            continue
        if hits:
            return [hit.shifted(x0, y0) for hit in hits]
    return []
