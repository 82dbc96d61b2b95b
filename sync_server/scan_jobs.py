"""Server-side page scans, the contract the online channel's pages call (issue 15).

A web request never scans: it records a :class:`~sync_server.models.ScanJob` and puts its
id on the scan queue (:mod:`sync_server.scan_queue`); a scan worker process reads the page
blob, runs the kiosk's pipeline (``kiosk.scan``) and stores the result on the job row. The
page polls :func:`job_view` to show each page being read.

The job id is derived from owner + blob, so submitting the same page again gives the same
job and its one stored result; another owner's job is not visible (``None``, i.e. 404).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from .db import utcnow
from .models import ScanJob

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
OWNER_MAX = 64
HINT_MAX = 64

# Each pipeline stage as the resident sees it: percentage reached when it starts, label.
STAGES: dict[str, tuple[int, str]] = {
    "queued": (0, "排队等候识别"),
    "load": (5, "正在读取照片"),
    "detect": (10, "正在寻找页面边缘"),
    "orient": (20, "正在摆正页面"),
    "border": (25, "正在摆正页面"),
    "quality": (30, "正在检查是否清晰"),
    "codes": (40, "正在读取二维码和条形码"),
    "ink": (45, "正在识别文字"),
    "ocr": (50, "正在识别文字"),
    "compress": (70, "正在识别文字"),
    "extract": (80, "正在提取信息"),
    "reread": (82, "正在提取信息"),
    "classify": (85, "正在判断材料种类"),
    "settle": (90, "正在核对识别结果"),
    "store": (95, "正在保存"),
    "done": (100, "识别完成"),
    "failed": (100, "识别没有完成，请重新上传"),
}
UNKNOWN_STAGE = (50, "正在识别")


def stage_progress(stage: str) -> tuple[int, str]:
    """Percentage and Chinese label of a stage (an unnamed stage keeps the page moving)."""
    return STAGES.get(stage, UNKNOWN_STAGE)


@dataclass(frozen=True)
class ScanJobView:
    """What a resident's page shows about one page scan.

    ``result`` is set only when ``state == "done"``: ``ok``; ``problems`` (each
    ``{"code", "message"}``, the message is the Chinese retake advice); ``text`` (OCR);
    ``barcodes``; ``material`` (``{"code", "confidence"}`` or None); ``fields``
    (extracted, e.g. ID number); ``rotation``. ``error`` says why a ``failed`` job failed.
    """

    job_id: str
    state: str  # queued | running | done | failed
    progress: int  # 0–100
    stage: str
    stage_label: str  # Chinese, for the resident
    material_hint: str | None
    result: dict[str, Any] | None
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def job_id_for(owner: str, blob_sha256: str) -> str:
    """One job per owner and page content: the idempotency key."""
    return hashlib.sha256(f"{owner}\x00{blob_sha256}".encode()).hexdigest()


def _check(owner: str, blob_sha256: str, material_hint: str | None) -> None:
    if not owner or len(owner) > OWNER_MAX:
        raise ValueError(f"owner must be 1..{OWNER_MAX} characters")
    if not SHA256_RE.match(blob_sha256):
        raise ValueError("blob_sha256 must be 64 lower-case hex digits")
    if material_hint is not None and not 0 < len(material_hint) <= HINT_MAX:
        raise ValueError(f"material_hint must be 1..{HINT_MAX} characters")


def submit_page_scan(
    session: Session, *, owner: str, blob_sha256: str, material_hint: str | None, queue: Any = None
) -> str:
    """Record a scan of a stored page blob for ``owner`` and queue it once the caller commits.

    Idempotent: the same owner + blob returns the existing job (queued, running or done)
    without queueing it again; a ``failed`` one is queued afresh. The message goes on the
    queue only after ``session`` commits, so a worker never looks for an uncommitted row.
    ``queue`` defaults to the app's (:func:`sync_server.scan_queue.get_queue`).
    """
    _check(owner, blob_sha256, material_hint)
    job_id = job_id_for(owner, blob_sha256)
    job = session.get(ScanJob, job_id)
    if job is not None and job.state != "failed":
        return job_id
    now = utcnow()
    if job is None:
        job = ScanJob(job_id=job_id, owner=owner, blob_sha256=blob_sha256, created_at=now)
        session.add(job)
    job.material_hint = material_hint
    job.state, job.stage, job.progress = "queued", "queued", 0
    job.worker, job.lease_until, job.error, job.result = None, None, None, None
    job.attempts = 0
    job.updated_at = now
    session.flush()
    if queue is None:
        from .scan_queue import get_queue

        queue = get_queue()
    event.listen(session, "after_commit", lambda _s: queue.enqueue(job_id), once=True)
    return job_id


def job_view(session: Session, job_id: str, owner: str) -> ScanJobView | None:
    """The job as its owner sees it; None for an unknown id or another owner's job."""
    job = session.get(ScanJob, job_id) if SHA256_RE.match(job_id) else None
    if job is None or job.owner != owner:
        return None
    progress, label = stage_progress(job.state if job.state in ("done", "failed") else job.stage)
    return ScanJobView(
        job_id=job.job_id,
        state=job.state,
        progress=max(progress, job.progress) if job.state == "running" else progress,
        stage=job.stage,
        stage_label=label,
        material_hint=job.material_hint,
        result=job.result if job.state == "done" else None,
        error=job.error if job.state == "failed" else None,
    )
