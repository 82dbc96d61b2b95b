"""Where page bytes live: a pluggable, content-addressed store.

The default keeps files under ``<home>/blobs/ab/cd/<sha256>``. A blob is written to a
temporary file, fsynced, checked against its hash and only then moved into place with
``os.replace``, so a crash or a wrong hash never leaves a partial blob under a real name:
a blob present under its hash is whole and verified, which is what lets the store itself
answer which pages the server holds (``blobs.held_blobs``). Page blobs are never removed.
Another store (e.g. object storage) implements :class:`BlobStore` and is set as
``app.extensions["tongban.blobs"]``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app

from .errors import ApiError

EXTENSION_KEY = "tongban.blobs"
UPLOAD_PREFIX = "upload-"
log = logging.getLogger("tongban.server.blobs")


def too_large(limit: int) -> ApiError:
    return ApiError(
        413, "too_large", f"blob exceeds the limit of {limit} bytes", "上传的页面文件过大", {"limit": limit}
    )


class BlobStore(Protocol):
    def has(self, sha256: str) -> bool: ...

    def put(self, sha256: str, chunks: Iterable[bytes], max_bytes: int) -> int:
        """Store the bytes if they hash to ``sha256``; return the size. Raises ApiError."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """The stored bytes; raises FileNotFoundError when there are none."""
        ...


class LocalBlobStore:
    """Content-addressed files in a local folder, written atomically."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._root = str(self.root)
        self._tmp = self.root / "tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)
        self._made: set[str] = set()  # fan-out folders known to exist (never removed)

    def _name(self, sha256: str) -> str:
        # a plain string: pathlib's three joins cost more than the stat they lead to, and
        # every upload, have-query and commit asks for a few of these
        return f"{self._root}/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def has(self, sha256: str) -> bool:
        return os.path.isfile(self._name(sha256))

    def open(self, sha256: str) -> BinaryIO:
        return open(self._name(sha256), "rb")  # the caller closes it

    def put(self, sha256: str, chunks: Iterable[bytes], max_bytes: int) -> int:
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix=UPLOAD_PREFIX)
        placed = False
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise too_large(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            actual = digest.hexdigest()
            if actual != sha256:
                raise ApiError(
                    400,
                    "hash_mismatch",
                    "the uploaded bytes do not hash to the sha256 in the URL",
                    "页面文件校验失败，请重新上传",
                    {"expected": sha256, "actual": actual, "size": size},
                )
            dest = self._name(sha256)
            folder = os.path.dirname(dest)
            if folder not in self._made:
                os.makedirs(folder, exist_ok=True)
                self._made.add(folder)
            os.replace(tmp_name, dest)
            placed = True
            fsync_dir(folder)
            return size
        finally:
            if not placed:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp_name)

    def remove_stale_uploads(self, max_age: float) -> int:
        """Delete upload files untouched for ``max_age`` seconds; how many were removed.

        A server killed mid-upload (SIGKILL, power cut, OOM) never runs the ``finally``
        that removes its temporary file. A live upload rewrites its file as bytes arrive
        and is cut off after ``BODY_IDLE_TIMEOUT`` seconds of silence, so a file older
        than a much longer ``max_age`` belongs to no request of any server sharing this
        folder: it is only taking space.
        """
        cutoff = time.time() - max_age
        removed = 0
        with os.scandir(self._tmp) as entries:
            for entry in entries:
                if not entry.name.startswith(UPLOAD_PREFIX):
                    continue
                with contextlib.suppress(FileNotFoundError):  # another worker got it first
                    if entry.stat().st_mtime < cutoff:
                        os.unlink(entry.path)
                        removed += 1
        if removed:
            log.warning("removed %d upload file(s) left by an interrupted server in %s", removed, self._tmp)
        return removed


def fsync_dir(path: Path | str) -> None:
    """Make the rename itself durable (POSIX needs the directory fsynced)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def init_app(app: Flask) -> None:
    """Bind the local store; at every start (the ``run`` command, each worker) clear the
    upload files a killed server left behind (``BLOB_TMP_MAX_AGE``)."""
    if EXTENSION_KEY not in app.extensions:
        store = LocalBlobStore(app.config["BLOB_DIR"])
        idle = float(app.config.get("BODY_IDLE_TIMEOUT") or 0)
        store.remove_stale_uploads(max(float(app.config["BLOB_TMP_MAX_AGE"]), 2 * idle))
        app.extensions[EXTENSION_KEY] = store


def get_store(app: Flask | None = None) -> BlobStore:
    return (app or current_app).extensions[EXTENSION_KEY]
