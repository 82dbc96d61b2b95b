"""Electronic results (办理结果 PDFs): checked, stored content-addressed, fetched by kiosks.

A result must be a real PDF (header ``%PDF-``, an ``%%EOF`` trailer, no bigger than
``RESULT_MAX_BYTES``); anything else is refused before a byte is stored. Bytes go to the
same blob store as page images. A kiosk may fetch a result only when it stands at the
station the case was collected at or the result was sent to for pickup.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..blobstore import BlobStore
from ..errors import ApiError
from ..models import Submission
from .errors import WorkspaceError
from .models import CaseResult

PDF_MAGIC = b"%PDF-"


def check_pdf(data: bytes, max_bytes: int) -> None:
    """WorkspaceError unless ``data`` looks like a whole PDF within the size limit."""
    if not data:
        raise WorkspaceError("empty result file", "请上传办理结果 PDF 文件")
    if len(data) > max_bytes:
        raise WorkspaceError(
            f"result file exceeds {max_bytes} bytes", f"办理结果文件过大（上限 {max_bytes // 1_000_000} MB）"
        )
    if not data.startswith(PDF_MAGIC) or b"%%EOF" not in data[-2048:]:
        raise WorkspaceError("result file is not a PDF", "办理结果必须是完整的 PDF 文件")


def store_bytes(store: BlobStore, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    if not store.has(sha):
        store.put(sha, [data], len(data))
    return sha


def read_bytes(store: BlobStore, sha256: str) -> bytes:
    with store.open(sha256) as fh:
        return fh.read()


@dataclass(frozen=True)
class ResultFile:
    data: bytes
    filename: str
    receipt_no: str


def result_for_kiosk(session: Session, store: BlobStore, public_id: str, station_code: str) -> ResultFile:
    """The PDF of result ``public_id`` for a kiosk at ``station_code``; 404 for anything else."""
    row = session.execute(
        select(CaseResult, Submission.station_code, Submission.receipt_no)
        .join(Submission, Submission.id == CaseResult.submission_id)
        .where(CaseResult.public_id == public_id)
    ).first()
    missing = ApiError(
        404, "unknown_result", "no electronic result with this id for your station", "未找到办理结果"
    )
    if row is None:
        raise missing
    result, collected_at_station, receipt_no = row
    if result.sha256 is None or station_code not in {collected_at_station, result.pickup_station}:
        raise missing
    return ResultFile(read_bytes(store, result.sha256), f"result-{receipt_no}.pdf", receipt_no)
