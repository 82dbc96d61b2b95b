"""What a kiosk may read back: its status feed and the status of a receipt at its station."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema import StatusEvent, SubmissionState
from shared_schema.api import StatusFeed, StatusHistoryEntry, SubmissionStatus

from .db import Database
from .enrollment import KioskPrincipal
from .errors import ApiError
from .models import FeedEntry, Kiosk, Submission, SubmissionEvent


def nothing_new(db: Database, principal: KioskPrincipal, after: int) -> bool:
    """Whether the kiosk's feed holds nothing past ``after``: one indexed look-up of
    ``kiosks.feed_seq`` (raised in the transaction that adds feed entries), no transaction."""
    with db.single_statement() as connection:
        position = connection.execute(
            select(Kiosk.feed_seq).where(Kiosk.kiosk_id == principal.kiosk_id)
        ).scalar_one()
    return position <= after


def status_feed(session: Session, principal: KioskPrincipal, after: int, limit: int) -> StatusFeed:
    """Events after cursor ``after``, oldest first; only this kiosk's own entries."""
    rows = session.execute(
        select(FeedEntry.seq, SubmissionEvent, Submission.client_uuid, Submission.receipt_no)
        .join(SubmissionEvent, SubmissionEvent.id == FeedEntry.event_id)
        .join(Submission, Submission.id == SubmissionEvent.submission_id)
        .where(FeedEntry.kiosk_id == principal.kiosk_id, FeedEntry.seq > after)
        .order_by(FeedEntry.seq)
        .limit(limit)
    ).all()
    events = [
        StatusEvent(
            seq=seq,
            client_uuid=client_uuid,
            receipt_no=receipt_no,
            state=SubmissionState(event.state),
            at=event.at,
            message=event.message_zh,
            detail=event.detail or {},
        )
        for seq, event, client_uuid, receipt_no in rows
    ]
    return StatusFeed(events=events, next=events[-1].seq if events else after)


def submission_status(session: Session, principal: KioskPrincipal, receipt_no: str) -> SubmissionStatus:
    """The history of a receipt collected at this kiosk's station; 404 for anything else."""
    submission = session.scalars(select(Submission).where(Submission.receipt_no == receipt_no)).first()
    if submission is None or submission.station_code != principal.station_code:
        raise ApiError(
            404,
            "unknown_receipt",
            "no submission with this receipt number at your station",
            "本服务站没有该受理编号的申请",
        )
    return SubmissionStatus(
        receipt_no=submission.receipt_no,
        state=SubmissionState(submission.state),
        transfer_due=submission.transfer_due.isoformat(),
        events=[
            StatusHistoryEntry(state=SubmissionState(e.state), at=e.at, message=e.message_zh)
            for e in submission.events
        ],
    )
