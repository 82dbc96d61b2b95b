"""Page blobs: which are missing, and storing one after checking type, size and hash.

The blob row is written only after the bytes are safely in the store, so a row always
means "the server has these bytes"; bytes without a row (a crash in between) are simply
stored again on the next upload. The body is read, checked and made durable *before* the
write transaction opens: a slow or stalled upload must not hold the database's write
lock, which on SQLite every other kiosk's commit and heartbeat waits for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from sqlalchemy import Connection, Insert, Table, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .blobstore import BlobStore
from .db import Database, utcnow
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
_BLOBS: Table = Blob.__table__  # type: ignore[assignment]
# Statements built once: building one costs more than running it on every upload.
_HAVE = select(_BLOBS.c.sha256).where(_BLOBS.c.sha256.in_(bindparam("hashes", expanding=True)))
_RECORD: dict[str, Insert] = {
    dialect: insert(_BLOBS).on_conflict_do_nothing(index_elements=["sha256"]).returning(_BLOBS.c.sha256)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


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


def missing_blobs(session: Session | Connection, hashes: Iterable[str]) -> list[str]:
    """The hashes (in the order given, each once) the server does not hold yet."""
    wanted = list(dict.fromkeys(hashes))
    have: set[str] = set()
    for i in range(0, len(wanted), _QUERY_CHUNK):
        part = wanted[i : i + _QUERY_CHUNK]
        have.update(session.execute(_HAVE, {"hashes": part}).scalars())
    return [h for h in wanted if h not in have]


def store_blob(
    db: Database,
    store: BlobStore,
    sha256: str,
    chunks: Iterable[bytes],
    content_type: str | None,
    max_bytes: int,
) -> tuple[int, bool]:
    """``(size, created)``: ``created`` is False when the server already had the blob.

    The bytes are always read and checked (a client sends its whole body anyway), and
    storing identical bytes again is harmless; asking first would cost a round trip on
    every upload to save work only on the rare repeat after a lost answer.
    """
    check_hash(sha256)
    kind = check_content_type(content_type)
    size = store.put(sha256, _sniffed(kind, chunks), max_bytes)  # no transaction open
    with db.single_statement(write=True) as connection:
        return size, record_blob(connection, sha256, size, kind)


def record_blob(connection: Connection, sha256: str, size: int, kind: str) -> bool:
    """Write the row saying the store holds these bytes; False if it was there already."""
    row = {"sha256": sha256, "size": size, "content_type": kind, "created_at": utcnow()}
    return connection.execute(_RECORD[connection.dialect.name], row).first() is not None
