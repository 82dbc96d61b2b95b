"""Page blobs: which are missing, and storing one after checking type, size and hash.

The store is the one truth for "the server has these bytes": a page appears under its
hash only once it was hash-checked, type-checked and fsynced (``blobstore``), so an upload
touches no database at all (a row per page was a round trip on every upload, a tenth of
the server's work per submission). The ``blobs`` row, which the workspace and the pages'
foreign key need, is written by the commit that first names the page, in the same
transaction, from what the store holds (:func:`held_blobs`); pages uploaded but never
committed have no row, and cost nothing but their file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .blobstore import BlobStore
from .errors import ApiError
from .models import Blob

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "image/webp": (b"RIFF",),
}
_HEAD = 12  # bytes enough to tell every type in MAGIC apart
_BLOBS: Table = Blob.__table__  # type: ignore[assignment]
# Built once: building a statement costs more than running it.
_RECORD: dict[str, Insert] = {
    dialect: insert(_BLOBS).on_conflict_do_nothing(index_elements=["sha256"])
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


@dataclass(frozen=True)
class HeldBlob:
    """A page image the store holds: what its ``blobs`` row records."""

    sha256: str
    size: int
    content_type: str


def check_hash(sha256: str) -> str:
    if not SHA256_RE.match(sha256):
        raise ApiError(400, "bad_hash", "expected a lower-case hex sha256", "页面文件标识无效")
    return sha256


def check_content_type(content_type: str | None) -> str:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in MAGIC:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"content type {kind or '(none)'} is not a page image",
            "不支持的文件类型，只接受 JPEG、PNG、TIFF、WebP 图片",
            {"allowed": sorted(MAGIC)},
        )
    return kind


def _matches(kind: str, head: bytes) -> bool:
    if kind == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return any(head.startswith(magic) for magic in MAGIC[kind])


def _sniffed(kind: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Pass the bytes through, refusing them (415) when they are not what they claim."""
    head = b""
    checked = False
    for chunk in chunks:
        if not checked:
            head += chunk
            if len(head) < 12:
                continue
            if not _matches(kind, head):
                raise ApiError(415, "content_mismatch", f"the bytes are not {kind}", "文件内容与类型不符")
            checked = True
            chunk, head = head, b""
        yield chunk
    if not checked:
        if not _matches(kind, head):
            raise ApiError(415, "content_mismatch", f"the bytes are not {kind}", "文件内容与类型不符")
        yield head


def _kind_of(head: bytes) -> str | None:
    return next((kind for kind in MAGIC if _matches(kind, head)), None)


def held_blob(store: BlobStore, sha256: str) -> HeldBlob | None:
    """The page image stored under ``sha256``, or None (absent, or not a page image: the
    workspace keeps its result PDFs in the same store)."""
    try:
        with store.open(sha256) as fh:
            head = fh.read(_HEAD)
            size = fh.seek(0, 2)
    except FileNotFoundError:
        return None
    kind = _kind_of(head)
    return None if kind is None else HeldBlob(sha256, size, kind)


def held_blobs(store: BlobStore, hashes: Iterable[str]) -> dict[str, HeldBlob]:
    """Those of ``hashes`` the store holds as page images, by hash."""
    found = (held_blob(store, sha) for sha in dict.fromkeys(hashes))
    return {blob.sha256: blob for blob in found if blob is not None}


def not_held(held: Mapping[str, HeldBlob], hashes: Iterable[str]) -> list[str]:
    """The hashes (in the order given, each once) that ``held`` lacks."""
    return [h for h in dict.fromkeys(hashes) if h not in held]


def require_held(held: Mapping[str, HeldBlob], hashes: Iterable[str]) -> None:
    """422 ``missing_blobs`` naming every page of a commit the server does not hold yet."""
    missing = not_held(held, hashes)
    if missing:
        raise ApiError(
            422,
            "missing_blobs",
            f"{len(missing)} page(s) not uploaded yet",
            "还有页面文件未上传完成",
            {"missing": missing},
            missing=missing,
        )


def missing_blobs(store: BlobStore, hashes: Iterable[str]) -> list[str]:
    """The hashes (in the order given, each once) the server does not hold yet."""
    wanted = list(dict.fromkeys(hashes))
    return not_held(held_blobs(store, wanted), wanted)


def store_blob(
    store: BlobStore, sha256: str, chunks: Iterable[bytes], content_type: str | None, max_bytes: int
) -> tuple[int, bool]:
    """``(size, created)``: ``created`` is False when the server already had the blob.

    The bytes are always read and checked (a client sends its whole body anyway), and
    storing identical bytes again is harmless. ``created`` is informational: two uploads
    of one new page at the same moment may both say True.
    """
    check_hash(sha256)
    kind = check_content_type(content_type)
    created = not store.has(sha256)
    return store.put(sha256, _sniffed(kind, chunks), max_bytes), created


def blob_rows(blobs: Iterable[HeldBlob], now: datetime) -> list[dict[str, Any]]:
    """The ``blobs`` rows for pages a commit names (inserted if not there yet)."""
    return [
        {"sha256": b.sha256, "size": b.size, "content_type": b.content_type, "created_at": now} for b in blobs
    ]


def record_blobs(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert the rows of :func:`blob_rows` that are not there yet (part of a commit)."""
    if rows:
        connection.execute(_RECORD[connection.dialect.name], rows)
