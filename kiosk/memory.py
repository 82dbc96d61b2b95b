"""Keep the kiosk process's memory near what it really uses (glibc malloc settings).

Scans run in worker threads and allocate large images. By default glibc gives every
thread its own malloc arena and raises its mmap threshold after the first large free,
so freed page images stay in the process: measured here, seven scans left a pipeline
process at 648 MB; with two arenas and a fixed 1 MB mmap threshold, 235 MB, and 206 MB
after ``malloc_trim``. Elsewhere than glibc these calls do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8


def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


LIBC = _libc()


def tune_malloc(arenas: int = 2, mmap_threshold: int = 1 << 20) -> bool:
    """Call before the first worker thread starts; True when glibc took the settings."""
    if LIBC is None:
        return False
    ok = LIBC.mallopt(M_ARENA_MAX, arenas) == 1 and LIBC.mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1
    if not ok:
        log.info("mallopt refused the kiosk's malloc settings")
    return ok


def trim() -> None:
    """Give freed heap memory back to the system (after a scan, at quiet moments)."""
    if LIBC is not None:
        LIBC.malloc_trim(0)
