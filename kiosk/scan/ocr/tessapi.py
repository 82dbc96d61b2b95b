"""Tesseract's C API through ctypes: the model stays loaded between pages.

The ``tesseract`` command loads ``chi_sim`` (~0.4–0.5 s on a loaded 2-core kiosk) and
decodes a PNG on every page, a third of a bare run; in-process the model loads once,
the page goes in as raw pixels, and the GIL is released while Tesseract works, so the
pipeline's other stages (codes, compression, the quality gate) run beside it on the
second core. ``libtesseract.so.5`` ships with the ``tesseract-ocr`` package; when it
cannot be loaded ``available()`` says so and the engine falls back to pytesseract.

One ``TessApi`` handle is not thread-safe, so every call holds the handle's lock. A run
stops when its deadline passes or when ``cancel`` (an Event) is set: Tesseract asks
after every word, so a page the quality gate rejects does not wait for its OCR.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import functools
import os
import threading
import time
from dataclasses import dataclass

import numpy as np

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # libgomp reads it once, when it is loaded

_CANCEL_FUNC = ctypes.CFUNCTYPE(ctypes.c_bool, ctypes.c_void_p, ctypes.c_int)


@functools.lru_cache(maxsize=1)
def _lib() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("tesseract") or "libtesseract.so.5"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    p, i, s = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    signatures = {
        "TessBaseAPICreate": (p, []),
        "TessBaseAPIInit3": (i, [p, s, s]),
        "TessBaseAPISetPageSegMode": (None, [p, i]),
        "TessBaseAPISetVariable": (ctypes.c_bool, [p, s, s]),
        "TessBaseAPISetImage": (None, [p, p, i, i, i, i]),
        "TessBaseAPISetSourceResolution": (None, [p, i]),
        "TessBaseAPIRecognize": (i, [p, p]),
        "TessBaseAPIGetTsvText": (ctypes.POINTER(ctypes.c_char), [p, i]),
        "TessBaseAPIClear": (None, [p]),
        "TessBaseAPIEnd": (None, [p]),
        "TessBaseAPIDelete": (None, [p]),
        "TessDeleteText": (None, [ctypes.POINTER(ctypes.c_char)]),
        "TessMonitorCreate": (p, []),
        "TessMonitorDelete": (None, [p]),
        "TessMonitorSetDeadlineMSecs": (None, [p, i]),
        "TessMonitorSetCancelFunc": (None, [p, _CANCEL_FUNC]),
    }
    for fn, (res, args) in signatures.items():
        getattr(lib, fn).restype = res
        getattr(lib, fn).argtypes = args
    return lib


def available() -> bool:
    return _lib() is not None


class OcrTimeout(RuntimeError):
    """The run passed its deadline or was cancelled."""


@dataclass
class Word:
    text: str
    conf: float
    box: tuple[int, int, int, int]  # left, top, width, height in image pixels
    line: tuple[int, int, int]  # (block, paragraph, line) numbers, as Tesseract groups words


def parse_tsv(tsv: str) -> list[Word]:
    """Word rows (level 5) of Tesseract's TSV output."""
    words = []
    for row in tsv.splitlines():
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        try:
            nums = [int(c) for c in cols[1:10]]
            conf = float(cols[10])
        except ValueError:
            continue
        words.append(Word(cols[11], conf, (nums[5], nums[6], nums[7], nums[8]), (nums[1], nums[2], nums[3])))
    return words


class TessApi:
    """One loaded Tesseract (one language); ``words(...)`` reads an 8-bit gray image."""

    def __init__(self, lang: str) -> None:
        lib = _lib()
        if lib is None:
            raise OSError("libtesseract is not available")
        self._lib = lib
        self._lock = threading.Lock()
        self._handle = lib.TessBaseAPICreate()
        if lib.TessBaseAPIInit3(self._handle, None, lang.encode()) != 0:
            raise OSError(f"tesseract could not load language {lang!r}")
        lib.TessBaseAPISetVariable(self._handle, b"debug_file", b"/dev/null")  # "Empty page!!" etc.
        atexit.register(self.close)

    def close(self) -> None:
        """Free the model (at exit: Tesseract complains of leaks otherwise)."""
        with self._lock:
            if self._handle:
                self._lib.TessBaseAPIEnd(self._handle)
                self._lib.TessBaseAPIDelete(self._handle)
                self._handle = None

    def words(
        self,
        gray: np.ndarray,
        *,
        dpi: float,
        psm: int,
        timeout: float,
        whitelist: str = "",
        cancel: threading.Event | None = None,
    ) -> list[Word]:
        """Recognise ``gray`` (uint8, 2-D); raises ``OcrTimeout`` past ``timeout`` s or on cancel."""
        img = np.ascontiguousarray(gray, dtype=np.uint8)
        h, w = img.shape
        lib, api = self._lib, self._handle
        ended = _CANCEL_FUNC(lambda _this, _words: bool(cancel is not None and cancel.is_set()))
        with self._lock:
            monitor = lib.TessMonitorCreate()
            try:
                lib.TessBaseAPISetPageSegMode(api, psm)
                lib.TessBaseAPISetVariable(api, b"tessedit_char_whitelist", whitelist.encode())
                lib.TessBaseAPISetImage(api, img.ctypes.data, w, h, 1, w)
                lib.TessBaseAPISetSourceResolution(api, max(70, round(dpi)))
                lib.TessMonitorSetDeadlineMSecs(monitor, max(1, round(timeout * 1000)))
                lib.TessMonitorSetCancelFunc(monitor, ended)
                started = time.monotonic()
                status = lib.TessBaseAPIRecognize(api, monitor)
                if status != 0 or time.monotonic() - started > timeout or (cancel and cancel.is_set()):
                    raise OcrTimeout("cancelled" if cancel and cancel.is_set() else "timeout")
                raw = lib.TessBaseAPIGetTsvText(api, 0)
                try:
                    tsv = ctypes.string_at(raw).decode("utf-8", "replace") if raw else ""
                finally:
                    if raw:
                        lib.TessDeleteText(raw)
            finally:
                lib.TessBaseAPIClear(api)
                lib.TessMonitorDelete(monitor)
        return parse_tsv(tsv)


_SHARED: dict[str, TessApi] = {}
_SHARED_LOCK = threading.Lock()


def shared_api(lang: str) -> TessApi:
    """The process-wide handle for ``lang`` (loaded on first use, ~0.3 s)."""
    with _SHARED_LOCK:
        if lang not in _SHARED:
            _SHARED[lang] = TessApi(lang)
        return _SHARED[lang]
