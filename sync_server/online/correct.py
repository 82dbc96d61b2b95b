"""补正 from a phone: the missing items go to the SAME case, through the kiosk's supplement path.

The applicant's pages (uploaded and scanned like any online page) become a
``SupplementManifest`` for the open correction round and are stored by
``supplements.store_supplement_once``: replay-safe, checked against the notice's items,
appended to the case, the case routed back to its reviewer with a ``supplement`` event.
Exactly once: the supplement's id is derived from the case and the round, and its time is
that of the newest page, so a double tap (or a retry after a dropped link) sends the very
same manifest and gets the first acknowledgement back; a round can be answered once.
The sender is the applicant (actor ``online:applicant``) at the case's own desk: the
online channel's virtual station and kiosk that collected it (docs/online.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from kiosk.scan.completeness import check_supplement_pages
from shared_schema.supplement import SupplementManifest, items_of_detail

from ..blobs import HeldBlob
from ..blobstore import BlobStore
from ..db import Database
from ..ingest import IngestResult
from ..models import Submission
from ..supplements import Sender, correction_requests, store_supplement, store_supplement_once
from ..workspace.errors import WorkspaceError
from .apply import PageState, page_record, page_result, still_reading
from .cases import not_found, online_case_row
from .receive import ACTOR

NAMESPACE = uuid.UUID("6f1d8a52-3c1e-4b8e-9a57-0d3f0c2b7e11")


def supplement_uuid(receipt_no: str, round_no: int) -> uuid.UUID:
    """One supplement per case and round: the same id however often it is sent."""
    return uuid.uuid5(NAMESPACE, f"online-supplement:{receipt_no}:{round_no}")


def build_manifest(
    sub: Submission, round_no: int, found: Mapping[str, Sequence[PageState]]
) -> SupplementManifest:
    """The supplement for correction ``round_no`` of ``sub`` from its uploaded pages
    (``found``: notice item key → pages with their scans). Refused while a page is being
    read (409); with every problem at once (the kiosk's own ``check_supplement_pages``: an
    item without pages, a page to retake) when it is not complete (400)."""
    if not sub.station_code or not sub.kiosk_id:
        raise WorkspaceError("online case without its desk", "该申请缺少受理站点，无法补正", status=409)
    if still_reading(dict(found)):
        raise WorkspaceError("pages still being read", "照片还在识别中，请稍候再提交", status=409)
    requests = correction_requests(sub)
    items = items_of_detail(requests[-1].detail or {})
    result = check_supplement_pages(items, {key: [page_result(s) for s in got] for key, got in found.items()})
    if not result.complete:  # 一次性告知: answered in full, once
        problems = "".join(issue.message for issue in result.issues)
        raise WorkspaceError("supplement incomplete", f"补正材料还不完整：{problems}", status=400)
    materials = [{"key": key, "pages": [page_record(s) for s in got]} for key, got in found.items() if got]
    newest = max(s.page.created_at for got in found.values() for s in got)
    return SupplementManifest.model_validate(
        {
            "client_uuid": str(supplement_uuid(sub.receipt_no, round_no)),
            "receipt_no": sub.receipt_no,
            "correction_round": round_no,
            "kiosk_id": sub.kiosk_id,
            "station_code": sub.station_code,
            "materials": materials,
            "completeness": result.model_dump(mode="json"),
            "created_at": newest.isoformat(),
        }
    )


def send(db: Database, store: BlobStore, phone: str, manifest: SupplementManifest) -> IngestResult:
    """Store ``manifest`` once for ``phone``'s own case (404 for any other case)."""
    sender = Sender(manifest.kiosk_id, manifest.station_code, ACTOR)

    def authorise(_session: Session, submission: Submission, _now: datetime) -> None:
        if not online_case_row(submission, phone):
            raise not_found()

    def run(session: Session, held: dict[str, HeldBlob]) -> IngestResult:
        return store_supplement(session, sender, manifest, held, authorise)

    return store_supplement_once(db, store, manifest, run)
