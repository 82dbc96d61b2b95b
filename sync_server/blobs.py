"""Page blobs: which are missing, and storing one after checking type, size and hash.

The blob row is written only after the bytes are safely in the store, so a row always
means "the server has these bytes"; bytes without a row (a crash in between) are simply
stored again on the next upload.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .blobstore import BlobStore
from .db import utcnow
from .errors import ApiError
from .models import Blob

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "image/webp": (b"RIFF",),
}
_QUERY_CHUNK = 500


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


def missing_blobs(session: Session, hashes: Iterable[str]) -> list[str]:
    """The hashes (in the order given, each once) the server does not hold yet."""
    wanted = list(dict.fromkeys(hashes))
    have: set[str] = set()
    for i in range(0, len(wanted), _QUERY_CHUNK):
        part = wanted[i : i + _QUERY_CHUNK]
        have.update(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(part))))
    return [h for h in wanted if h not in have]


def store_blob(
    session: Session,
    store: BlobStore,
    sha256: str,
    chunks: Iterable[bytes],
    content_type: str | None,
    max_bytes: int,
) -> tuple[int, bool]:
    """``(size, created)``; a blob the server already has is not read again."""
    check_hash(sha256)
    kind = check_content_type(content_type)
    row = session.get(Blob, sha256)
    if row is not None:
        return row.size, False
    size = store.put(sha256, _sniffed(kind, chunks), max_bytes)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(Blob)
        .values(sha256=sha256, size=size, content_type=kind, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
    return size, True
