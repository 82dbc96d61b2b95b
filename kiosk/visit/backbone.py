"""The real outbox (``kiosk/store``) fitted to the visit's :class:`~kiosk.visit.ports.Outbox`.

The receipt number is reserved only when the resident presses "submit", so abandoned
visits do not burn numbers; a reservation whose manifest then fails validation is
discarded at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from kiosk.store import Drafts, KioskIdentity, KioskStore, Outbox, OutboxEntry, OutboxState
from kiosk.store.backlog import read_backlog
from kiosk.store.evaluations import Evaluations
from kiosk.store.handovers import Handovers, HandoverStatus
from shared_schema import Applicant, EvaluationStage, Handover, RatingReason, SubmissionManifest

from .ports import LocalStatus, QueueCounts

# What a resident reads for each state; never "受理" before the department accepted.
STATE_WORDS = {
    OutboxState.draft: "未提交",
    OutboxState.finalized: "材料已接收，等待发送",
    OutboxState.uploading: "正在发送",
    OutboxState.acknowledged: "已送达市域通办平台，等待转报",
    OutboxState.routed: "已转报到事项办理单位",
    OutboxState.accepted: "办理单位已受理",
    OutboxState.correction_requested: "需要补正材料",
    OutboxState.rejected: "不予受理",
    OutboxState.special_stage: "特殊环节办理中",
    OutboxState.completed: "已办结",
    OutboxState.delivered: "结果已送达",
    OutboxState.archived: "已归档",
    OutboxState.failed: "发送失败，请联系工作人员",
}


def state_words(state: str) -> str:
    try:
        return STATE_WORDS[OutboxState(state)]
    except ValueError:
        return state


def _status(entry: OutboxEntry) -> LocalStatus:
    return LocalStatus(
        receipt_no=entry.receipt_no,
        state=entry.state.value,
        message=entry.last_message or state_words(entry.state.value),
        updated_at=entry.state_changed_at,
    )


class StoreOutbox:
    def __init__(self, store: KioskStore, identity: KioskIdentity) -> None:
        self.store = store
        self.identity = identity
        self.outbox = Outbox(store)
        self.drafts = Drafts(store, identity)
        self.evaluations = Evaluations(store)
        self.handovers = Handovers(store)

    def reserve(self, matter_code: str, catalog_version: str) -> tuple[str, str]:
        draft = self.drafts.create(matter_code, catalog_version)
        return draft.client_uuid, draft.receipt_no

    def finalize(self, manifest: SubmissionManifest, pages: dict[str, bytes]) -> None:
        self.drafts.finalize_manifest(manifest, pages)

    def discard(self, client_uuid: str) -> None:
        self.drafts.discard(client_uuid)

    def counts(self) -> QueueCounts:
        backlog = read_backlog(self.store)
        failed = self.outbox.entries([OutboxState.failed], limit=20) if backlog.failed else []
        return QueueCounts(
            waiting=backlog.waiting,
            sending=backlog.sending,
            failed=backlog.refused,
            failed_reasons=[f"{e.receipt_no}: {e.failure_reason or e.last_error or ''}" for e in failed],
            supplements=backlog.supplements.waiting,
            handovers=backlog.handovers.waiting,
            mailings=backlog.mailings.waiting,
            evaluations=backlog.evaluations.waiting,
            feedback=backlog.feedback.waiting,
            oldest_waiting_at=backlog.oldest_waiting_at,
        )

    def status(self, receipt_no: str) -> LocalStatus | None:
        """The item under this number, or renumbered away from it (``kiosk.store.renumber``):
        then the message first tells the resident the number to use from now on."""
        asked = receipt_no.strip().upper()
        entry = self.outbox.find(asked)
        if entry is None:
            return None
        status = _status(entry)
        if entry.receipt_no != asked:
            status.message = f"受理编号已更换为 {entry.receipt_no}（原编号 {asked}）。{status.message}"
        return status

    def recent(self, limit: int = 20) -> list[LocalStatus]:
        return [_status(e) for e in self.outbox.entries(limit=limit) if e.state is not OutboxState.draft]

    def queue_evaluation(
        self,
        receipt_no: str | None,
        score: int,
        *,
        stage: EvaluationStage = EvaluationStage.collect,
        reasons: Iterable[RatingReason] = (),
    ) -> None:
        self.evaluations.queue(
            score,
            station_code=self.identity.station_code,
            receipt_no=receipt_no,
            at_stage=stage,
            reasons=reasons,
        )

    def record_handover(self, receipt_no: str, **fields: object) -> Handover:
        return self.handovers.record(receipt_no, station_code=self.identity.station_code, **fields)

    def handover_status(self, receipt_no: str) -> HandoverStatus | None:
        return self.handovers.for_receipt(receipt_no)

    def held_handovers(self) -> list[tuple[Handover, str]]:
        return self.handovers.held()

    def applicant_id(self, receipt_no: str) -> str | None:
        """The applicant's ID number of a case collected here, while its manifest is kept."""
        applicant = self._applicant(receipt_no)
        return applicant.id_number if applicant else None

    def applicant_uscc(self, receipt_no: str) -> str | None:
        """An enterprise applicant's credit code, the same way (None for a person)."""
        applicant = self._applicant(receipt_no)
        return applicant.uscc if applicant else None

    def _applicant(self, receipt_no: str) -> Applicant | None:
        entry = self.outbox.find(receipt_no)
        if entry is None or entry.purged:
            return None
        return self.outbox.manifest(entry.client_uuid).applicant
