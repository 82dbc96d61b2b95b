"""补正 on the kiosk: the correction notices the status feed brings, and queued supplements.

A notice arrives as a ``correction_requested`` feed event whose detail lists the items;
it is kept sealed (staff may write anything in an item), and the feed's readable copy of
the event keeps no items (:func:`public_detail`). A supplement is queued offline like an
evaluation (a sealed :class:`SupplementManifest` per client uuid, ``SealedQueue``) with its
pages in their own sealed page store, so the outbox's page purge never touches them;
they are deleted once the server acknowledged the supplement.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema import StatusEvent, SubmissionState
from shared_schema.supplement import CORRECT_ACTION, LookupAnswer, SupplementManifest, items_of_detail

from .home import KioskStore
from .models import CorrectionNoticeRow, OutboxItem, QueuedSupplement, utcnow
from .pages import PageStore
from .sealed_queue import SealedQueue

NOTICE = "correction-notice"
PRIVATE_DETAIL = ("items", "requirements")
NOTICE_MESSAGE_ZH = "需要补正材料，请凭受理编号在自助终端查看补正告知"


def is_notice(event: StatusEvent) -> bool:
    correction = event.state is SubmissionState.correction_requested
    return correction and event.detail.get("action") == CORRECT_ACTION


def public_detail(event: StatusEvent) -> dict[str, Any]:
    """The detail as the readable feed table keeps it: a notice's items only sealed."""
    if not is_notice(event):
        return event.detail
    return {k: v for k, v in event.detail.items() if k not in PRIVATE_DETAIL}


def public_message(event: StatusEvent) -> str:
    """The message as readable tables keep it: a notice's text names its items, so only
    the sealed notice holds it."""
    return NOTICE_MESSAGE_ZH if is_notice(event) else event.message


def note_event(session: Session, store: KioskStore, event: StatusEvent) -> None:
    """Keep a correction notice from the feed, sealed (part of the feed page's transaction)."""
    if not is_notice(event):
        return
    round_no = int(event.detail.get("round") or 1)
    notice = LookupAnswer(
        receipt_no=event.receipt_no,
        correction_round=round_no,
        items=items_of_detail(event.detail),
        message=event.message,
        notice_due=event.detail.get("notice_due"),
    )
    key = f"{event.receipt_no}#{round_no}"
    sealed = store.key.seal(notice.model_dump_json().encode("utf-8"), f"{NOTICE}:{key}")
    row = session.get(CorrectionNoticeRow, key)
    if row is None:
        session.add(
            CorrectionNoticeRow(
                notice_key=key,
                receipt_no=event.receipt_no,
                correction_round=round_no,
                payload_enc=sealed,
                received_at=utcnow(),
            )
        )


class Supplements(SealedQueue[SupplementManifest]):
    """Queued supplements and the notices they answer."""

    def __init__(self, store: KioskStore) -> None:
        super().__init__(store, QueuedSupplement, SupplementManifest, "supplement")
        self.pages = PageStore(store.home / "supplement_pages", store.key, purpose="supplement-page")

    def notice(self, receipt_no: str) -> LookupAnswer | None:
        """The latest correction notice the feed brought for ``receipt_no`` (None: none here)."""
        query = (
            select(CorrectionNoticeRow)
            .where(CorrectionNoticeRow.receipt_no == receipt_no)
            .order_by(CorrectionNoticeRow.correction_round.desc())
            .limit(1)
        )
        with self.store.db.read() as s:
            row = s.scalars(query).first()
            if row is None:
                return None
            raw = self.store.key.open(row.payload_enc, f"{NOTICE}:{row.notice_key}")
        return LookupAnswer.parse_json(raw, source="sealed correction notice")

    def answered(self, receipt_no: str, correction_round: int) -> bool:
        """Whether a supplement for this round is already queued or sent (one per round)."""
        with self.store.db.read() as s:
            rows = s.scalars(select(QueuedSupplement).where(QueuedSupplement.receipt_no == receipt_no)).all()
            return any(self.open(r).correction_round == correction_round for r in rows)

    def queue(self, manifest: SupplementManifest, pages: Mapping[str, bytes]) -> None:
        """Store the pages sealed, then the manifest: a crash in between leaves only pages."""
        for sha, data in pages.items():
            if self.pages.put(data) != sha:
                raise ValueError(f"page bytes do not match their hash {sha}")
        self.put(str(manifest.client_uuid), manifest, receipt_no=manifest.receipt_no)

    def sent(self, manifest: SupplementManifest) -> None:
        """Acknowledged by the server: mark it; its pages go unless another waiting one has them."""
        self.mark_sent(str(manifest.client_uuid))
        needed = {sha for waiting in self.pending() for sha in waiting.page_hashes()}
        for sha in set(manifest.page_hashes()) - needed:
            self.pages.delete(sha)

    def latest(self, receipt_no: str) -> QueuedSupplement | None:
        """The newest supplement queued here for this case (its bookkeeping only, detached)."""
        query = (
            select(QueuedSupplement)
            .where(QueuedSupplement.receipt_no == receipt_no)
            .order_by(QueuedSupplement.created_at.desc())
            .limit(1)
        )
        with self.store.db.read() as s:
            row = s.scalars(query).first()
            if row is not None:
                s.expunge(row)
            return row

    def awaiting(self, receipt_no: str) -> bool | None:
        """Whether this kiosk's own case still waits for a correction (None: not collected here)."""
        with self.store.db.read() as s:
            state = s.scalar(select(OutboxItem.state).where(OutboxItem.receipt_no == receipt_no))
        return None if state is None else state == SubmissionState.correction_requested.value
