"""Resumable upload endpoints (JSON) for the upload script, and the no-script form path.

``POST /online/uploads`` {target, size, filename} → {upload_id, offset, chunk_max};
``GET /online/uploads/<id>`` → {offset, size, done}; ``PUT /online/uploads/<id>?offset=N``
with the raw chunk → {offset, size, done} (409 {offset} when N is not what the server
holds). The chunk that completes the file hands it to the finisher registered for its
target's prefix (``apply:`` here; other pages register their own) and the answer carries
what the finisher returns.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app, jsonify, request
from werkzeug.datastructures import FileStorage

from ..db import get_db
from ..workspace.errors import WorkspaceError
from . import bp, uploads
from .auth import current_phone, phone_required

Finisher = Callable[[str, str, Path], dict[str, Any]]  # (phone, target, file) → answer
FINISHERS: dict[str, Finisher] = {}
MAX_TARGET = 120


def register(prefix: str, finisher: Finisher) -> None:
    """What happens to a finished upload whose target starts with ``prefix + ':'``."""
    FINISHERS[prefix] = finisher


def _finisher(target: str) -> Finisher:
    prefix = target.split(":", 1)[0]
    if prefix not in FINISHERS or len(target) > MAX_TARGET or "\x00" in target:
        raise WorkspaceError(f"unknown upload target {target[:40]!r}", "上传目标无效，请刷新页面", 400)
    return FINISHERS[prefix]


def _int(raw: Any, name: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise WorkspaceError(f"{name} must be an integer", "上传请求无效，请刷新页面", 400) from None
    if value < 0 or value > 2**53:
        raise WorkspaceError(f"{name} out of range", "上传请求无效，请刷新页面", 400)
    return value


def _answer(p: uploads.Progress, **extra: Any) -> Any:
    return jsonify(upload_id=p.upload_id, offset=p.offset, size=p.size, done=p.done, **extra)


def finish(phone: str, upload_id: str) -> dict[str, Any]:
    """Close a complete upload and run its finisher (outside the upload's transaction)."""
    with get_db().transaction(write=True) as session:
        row = uploads.find(session, upload_id, phone, lock=True)
        target = row.target
        path = uploads.finish(row)
    try:
        return _finisher(target)(phone, target, path)
    finally:
        path.unlink(missing_ok=True)


def whole_file(phone: str, target: str, file: FileStorage | None) -> dict[str, Any]:
    """The no-script path: a form's whole file written as one upload in chunks and finished,
    through the same checks as the script's resumable upload; the finisher's answer."""
    if file is None:
        raise WorkspaceError("no file in the form", "请选择要上传的照片或PDF文件", 400)
    data = file.stream.read(current_app.config["ONLINE_UPLOAD_MAX_BYTES"] + 1)
    step = current_app.config["ONLINE_CHUNK_MAX_BYTES"]
    with get_db().transaction(write=True) as session:
        upload_id = uploads.start(session, phone, target, len(data), file.filename or "page").upload_id
        for offset in range(0, len(data), step):
            uploads.append(session, upload_id, phone, offset, data[offset : offset + step])
    return finish(phone, upload_id)


@bp.post("/uploads", endpoint="upload_start")
@phone_required
def upload_start() -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise WorkspaceError("JSON body expected", "上传请求无效，请刷新页面", 400)
    target = str(body.get("target") or "")
    _finisher(target)
    size = _int(body.get("size"), "size")
    filename = str(body.get("filename") or "page").replace("\x00", "")[:100]
    with get_db().transaction(write=True) as session:
        progress = uploads.start(session, current_phone() or "", target, size, filename)
    return _answer(progress, chunk_max=current_app.config["ONLINE_CHUNK_MAX_BYTES"]), 201


@bp.get("/uploads/<upload_id>", endpoint="upload_status")
@phone_required
def upload_status(upload_id: str) -> Any:
    with get_db().transaction() as session:
        return _answer(uploads.progress(session, upload_id, current_phone() or ""))


@bp.put("/uploads/<upload_id>", endpoint="upload_chunk")
@phone_required
def upload_chunk(upload_id: str) -> Any:
    phone = current_phone() or ""
    offset = _int(request.args.get("offset"), "offset")
    limit = current_app.config["ONLINE_CHUNK_MAX_BYTES"]
    data = request.stream.read(limit + 1)
    try:
        with get_db().transaction(write=True) as session:
            progress = uploads.append(session, upload_id, phone, offset, data)
    except uploads.OffsetMismatch as error:
        return jsonify(error=error.message, message=error.message_zh, offset=error.offset), 409
    if not progress.done:
        return _answer(progress)
    return _answer(progress, **finish(phone, upload_id))
