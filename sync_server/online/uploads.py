"""Resumable uploads from phones on village links: start, send chunks at an offset, resume.

A client starts an upload with the file's size and name and gets an id; it sends chunks
with the offset they start at; after a dropped connection it asks for the offset the
server holds and goes on from there. A chunk at any other offset is refused with the
right one (409), so bytes are never duplicated or skipped. The first bytes are sniffed
(jpeg, png, webp, tiff, bmp or pdf, whatever the name says) and the declared size is
bounded before anything is stored. Part files live under ``ONLINE_UPLOAD_DIR`` (a node's
disk: behind a load balancer, route ``/online/uploads`` sticky or share the folder).
Only the phone that started an upload can see or continue it (others get 404). A phone's
uploads untouched for two days are removed when it starts another.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.scan.sources import MESSAGES, sniff

from ..db import utcnow
from ..workspace.errors import WorkspaceError
from .models import Upload

ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
ACCEPTED = {"jpeg", "png", "webp", "tiff", "bmp", "pdf"}
STALE_AFTER = timedelta(days=2)  # an upload not resumed by then is given up (its disk space freed)
DEFAULTS = {
    "ONLINE_UPLOAD_MAX_BYTES": 20_000_000,  # one file (a phone photo is 2–8 MB; a PDF of a few pages)
    "ONLINE_CHUNK_MAX_BYTES": 1_000_000,  # one chunk: small enough to get through on a weak link
    "ONLINE_OPEN_UPLOADS": 20,  # unfinished uploads per phone
}


class OffsetMismatch(WorkspaceError):
    """A chunk at the wrong offset: the client resumes from ``offset``."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"resume at offset {offset}", "请从断点继续上传", 409)
        self.offset = offset


@dataclass(frozen=True)
class Progress:
    upload_id: str
    offset: int
    size: int
    done: bool


def part_path(upload_id: str) -> Path:
    folder = Path(
        current_app.config.get("ONLINE_UPLOAD_DIR") or Path(current_app.config["HOME"]) / "online_uploads"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{upload_id}.part"


def _refuse(message: str, message_zh: str, status: int = 400) -> WorkspaceError:
    return WorkspaceError(message, message_zh, status)


def start(session: Session, phone: str, target: str, size: int, filename: str) -> Progress:
    """A new upload of ``size`` bytes for ``target``; refused when too big or too many are open."""
    limit = current_app.config["ONLINE_UPLOAD_MAX_BYTES"]
    if size <= 0:
        raise _refuse("empty file", MESSAGES["empty"])
    if size > limit:
        raise _refuse(
            f"file larger than {limit} bytes", f"文件太大（最大{limit // 1_000_000}MB），请缩小后再上传", 413
        )
    _forget_stale(session, phone)
    open_now = session.scalar(
        select(func.count()).select_from(Upload).where(Upload.phone == phone, Upload.state == "open")
    )
    if open_now >= current_app.config["ONLINE_OPEN_UPLOADS"]:
        raise _refuse("too many unfinished uploads", "未完成的上传太多，请先完成或稍后再试", 429)
    row = Upload(
        id=secrets.token_urlsafe(18), phone=phone, target=target[:120], filename=(filename or "page")[:100],
        size=size, received=0, state="open",
    )  # fmt: skip
    session.add(row)
    session.flush()
    part_path(row.id).write_bytes(b"")
    return Progress(row.id, 0, size, False)


def _forget_stale(session: Session, phone: str) -> None:
    """A phone's uploads untouched for ``STALE_AFTER`` are given up: rows and part files go."""
    cutoff = utcnow() - STALE_AFTER
    stale = session.scalars(select(Upload).where(Upload.phone == phone, Upload.updated_at < cutoff)).all()
    for row in stale:
        part_path(row.id).unlink(missing_ok=True)
        session.delete(row)


def find(session: Session, upload_id: str, phone: str, *, lock: bool = False) -> Upload:
    """The phone's own upload, or 404 (another phone's looks exactly like none)."""
    query = select(Upload).where(Upload.id == upload_id, Upload.phone == phone)
    row = (
        session.scalars(query.with_for_update() if lock else query).first()
        if ID_RE.match(upload_id)
        else None
    )
    if row is None:
        raise _refuse("no such upload", "找不到这次上传，请重新选择文件", 404)
    return row


def append(session: Session, upload_id: str, phone: str, offset: int, data: bytes) -> Progress:
    """Write ``data`` at ``offset`` (which must be what the server holds); the caller commits."""
    row = find(session, upload_id, phone, lock=True)
    if row.state != "open":
        raise _refuse("upload already finished", "这个文件已经上传完成", 409)
    if offset != row.received:
        raise OffsetMismatch(row.received)
    if len(data) > current_app.config["ONLINE_CHUNK_MAX_BYTES"] or row.received + len(data) > row.size:
        raise _refuse("chunk too large", "上传的数据超出了文件大小", 413)
    if not data:
        raise _refuse("empty chunk", MESSAGES["empty"])
    if offset == 0 and sniff(data[:16]) not in ACCEPTED:
        raise _refuse("not an image or PDF", MESSAGES["not_an_image"], 415)
    path = part_path(row.id)
    with path.open("r+b") as out:
        out.truncate(offset)  # a chunk written before a crash but never counted is dropped
        out.seek(offset)
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    row.received += len(data)
    row.updated_at = utcnow()
    return Progress(row.id, row.received, row.size, row.received == row.size)


def progress(session: Session, upload_id: str, phone: str) -> Progress:
    row = find(session, upload_id, phone)
    return Progress(row.id, row.received, row.size, row.received == row.size)


def finish(row: Upload) -> Path:
    """Mark a complete upload done (the caller commits) and hand over its part file."""
    row.state = "done"
    return part_path(row.id)
