"""Durable file writes: a page or manifest on disk is either whole or absent.

A kiosk can lose power at any moment. Writing to a temporary file, fsyncing it, renaming
it over the target and fsyncing the directory means a reader after a crash sees the old
file or the new one, never half of either (the rename is atomic on POSIX file systems;
the directory fsync makes the rename itself durable).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(path: Path) -> None:
    """``mkdir -p`` whose new entries survive a power cut (each parent fsynced)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True)
        fsync_dir(folder.parent)


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` atomically and durably, with file mode ``mode``."""
    ensure_dir(path.parent)
    tmp = path.parent / f".tmp-{path.name}-{secrets.token_hex(6)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # the umask may have narrowed or widened what O_CREAT set
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def remove_durably(path: Path) -> bool:
    """Delete ``path`` (if present) and fsync its folder; True when something was removed."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    fsync_dir(path.parent)
    return True


def clean_temp_files(folder: Path) -> int:
    """Remove ``.tmp-*`` leftovers of writes interrupted by a crash."""
    removed = 0
    if not folder.exists():
        return 0
    for tmp in folder.rglob(".tmp-*"):
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
            removed += 1
    return removed


def free_bytes(path: Path) -> int:
    """Free disk space where the kiosk keeps its data (reported in the heartbeat)."""
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize
