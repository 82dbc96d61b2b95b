"""What the kiosk still has to send (待发送): submissions, supplements, handovers, mailings and ratings
alike, in the header's and the assist panel's counts and in the heartbeat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kiosk.store import KioskStore
from kiosk.store.evaluations import Evaluations
from kiosk.store.handovers import Handovers
from kiosk.store.mailings import OriginalMailings
from kiosk.store.models import QueuedSupplement
from kiosk.store.sealed_queue import REFUSED
from kiosk.sync.heartbeat import heartbeat_body
from kiosk.visit.backbone import StoreOutbox
from kiosk.visit.submit import KioskRef
from kiosk.visit.supplement import SupplementDesk, SupplementPage
from shared_schema import EvaluationStage, IdentityCheck
from shared_schema.supplement import CorrectionItem, LookupAnswer

from .conftest import STATION, finalize_one, jpeg_page


def queue_supplement(store: KioskStore, receipt_no: str) -> SupplementDesk:
    """A supplement queued through the desk the screen uses (no printer, no server)."""
    ident = store.identity()
    desk = SupplementDesk(store, KioskRef(ident.kiosk_id, ident.station_code))
    notice = LookupAnswer(
        receipt_no=receipt_no,
        correction_round=1,
        items=[CorrectionItem(key="item-1", text="户口簿本人页")],
        message="请补交户口簿本人页",
    )
    desk.confirm(notice, {"item-1": [SupplementPage(jpeg_page(7), "image/jpeg", 120, 90)]})
    return desk


def test_every_kind_of_queued_item_counts_as_waiting_to_send(store: KioskStore) -> None:
    outbox = StoreOutbox(store, store.identity())
    assert (outbox.counts().waiting, outbox.counts().oldest_waiting_at) == (0, None)

    finalize_one(store, seed=1)
    handed = Handovers(store).record(
        "CQ0100-KTEST1-20261201-0001", station_code=STATION, handed_by="李明", handed_to="王秀英",
        identity_check=IdentityCheck.scanned_id, id_number_masked="1405**********0011",
    )  # fmt: skip
    Evaluations(store).queue(
        5, station_code=STATION, receipt_no=handed.receipt_no, at_stage=EvaluationStage.handle
    )
    desk = queue_supplement(store, "CQ0100-KTEST1-20261130-0002")
    mailed = OriginalMailings(store).record(
        "CQ0100-KTEST1-20261130-0003", station_code=STATION, tracking_no="SF1234567890", recorded_by="李明"
    )

    counts = outbox.counts()
    assert (counts.waiting, counts.sending, counts.failed) == (5, 0, 0)
    assert (counts.supplements, counts.handovers, counts.mailings, counts.evaluations) == (1, 1, 1, 1)
    body = heartbeat_body(outbox.outbox, None, None)
    assert body["queue_length"] == 5

    # the oldest waiting item for the transfer promise: a submission or a supplement
    with store.db.write() as s:
        row = s.get(QueuedSupplement, str(desk.queue.pending()[0].client_uuid))
        row.created_at = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    counts = outbox.counts()
    assert counts.oldest_waiting_at == datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    assert heartbeat_body(outbox.outbox, None, None)["oldest_waiting_at"].startswith("2026-11-27T01:00")

    # a handover the server refused is held for staff: failed, no longer waiting
    Handovers(store).record_error(str(handed.handover_uuid), f"{REFUSED} [already_delivered] 409")
    counts = outbox.counts()
    assert (counts.waiting, counts.failed, counts.handovers) == (4, 1, 0)
    # so is a mailing it refused (already mailed): held, counted once as failed
    OriginalMailings(store).record_error(str(mailed.mailing_uuid), f"{REFUSED} [already_mailed] 409")
    counts = outbox.counts()
    assert (counts.waiting, counts.failed, counts.mailings) == (3, 2, 0)
    # sent items no longer count
    Evaluations(store).mark_sent(str(Evaluations(store).pending()[0].evaluation_uuid))
    desk.queue.sent(desk.queue.pending()[0])
    counts = outbox.counts()
    assert (counts.waiting, counts.supplements, counts.evaluations) == (1, 0, 0)
    assert counts.oldest_waiting_at is not None
    assert datetime.now(UTC) - counts.oldest_waiting_at < timedelta(minutes=5)  # the submission's
