"""An electronic result printed at *any* kiosk, once the resident proves who they are.

The kiosk sends the receipt number and the ID number (or USCC) the resident typed or the
ID card reader read. Everything that is not "this receipt, this applicant, an electronic
result meant for self-service printing" gets one and the same 404, so the endpoint cannot
tell a caller whether a receipt number exists. Each lookup is audited with its outcome,
never with the typed ID number; a per-kiosk budget stops a script walking receipt numbers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema.api import ElectronicResultRequest

from ..blobstore import BlobStore
from ..errors import ApiError
from ..id_lookup import normalize_identity
from ..models import Submission
from . import audit
from .models import CaseResult
from .results import read_bytes

#: Delivery methods whose result the applicant prints themselves at a kiosk.
SELF_SERVICE = ("electronic", "online")
ACTION = "kiosk_result_print"


@dataclass(frozen=True)
class FoundResult:
    public_id: str
    sha256: str
    receipt_no: str
    data: bytes


def refused() -> ApiError:
    """The one refusal for an unknown receipt, a wrong ID number and a result not offered."""
    return ApiError(
        404,
        "unknown_result",
        "no electronic result for this receipt number and identity",
        "未找到该受理编号和证件号码对应的电子办理结果，请核对后重试",
    )


LIMITED_ZH = "查询过于频繁，请一分钟后再试"  # past the kiosk's budget of result lookups


def _matches(typed: str, submission: Submission) -> bool:
    on_file = submission.applicant_id_number or submission.applicant_uscc or ""
    return bool(on_file) and secrets.compare_digest(
        normalize_identity(typed).encode("utf-8"), normalize_identity(on_file).encode("utf-8")
    )


def find_electronic_result(
    session: Session, store: BlobStore, ask: ElectronicResultRequest, who: audit.Who
) -> FoundResult | None:
    """The newest self-service electronic result of ``ask.receipt_no`` if ``ask.identity``
    is its applicant's, else None (the caller answers :func:`refused` after the commit, so
    the refusal's audit entry is kept). Audited either way."""
    row = session.execute(
        select(CaseResult, Submission)
        .join(Submission, Submission.id == CaseResult.submission_id)
        .where(
            Submission.receipt_no == ask.receipt_no,
            CaseResult.sha256.is_not(None),
            CaseResult.delivery.in_(SELF_SERVICE),
        )
        .order_by(CaseResult.id.desc())
        .limit(1)
    ).first()
    if row is None or not _matches(ask.identity, row[1]):
        audit.record(session, who, ACTION, receipt_no=ask.receipt_no, detail={"outcome": "refused"})
        return None
    result, submission = row
    assert result.sha256 is not None
    audit.record(
        session, who, ACTION, submission_id=submission.id, receipt_no=submission.receipt_no,
        detail={"outcome": "printed", "result_id": result.public_id, "sha256": result.sha256},
    )  # fmt: skip
    data = read_bytes(store, result.sha256)
    return FoundResult(result.public_id, result.sha256, submission.receipt_no, data)
