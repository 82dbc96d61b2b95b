"""Results announced for pickup at this station: the notes, the sealed PDFs, their purge.

The status feed's 办结 event names the result (``result_id``, ``result_sha256``,
``result_kind``, ``tracking_no``); :func:`note_event` turns it into a
:class:`ReceivedResult` row in the feed page's own transaction. An electronic result is
then fetched by the sync client (:mod:`kiosk.sync.results`) and kept sealed under
``results/`` with the kiosk key, named by its hash; a paper result is only a note ("on
its way", with the department's mail tracking number).

The copy is kept until the handover and for ``after`` (default 30 days) beyond it, then
deleted. The handover time comes from whichever knows first: :func:`mark_handed_over`
(the kiosk's own handover record) or the feed's 送达 (``delivered``) event for the case.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared_schema import StatusEvent, SubmissionState

from .home import KioskStore
from .models import ReceivedResult, utcnow
from .pages import PageMissing

DEFAULT_AFTER_HANDOVER = timedelta(days=30)
PICKUP = "pickup"


class ResultNotHere(Exception):
    """No result of this receipt can be printed here (none announced, paper, or purged)."""


@dataclass(frozen=True)
class ResultView:
    """What staff and the print service need to know about one announced result."""

    result_id: str
    receipt_no: str
    kind: str
    sha256: str | None
    tracking_no: str | None
    stored: bool
    handed_over: bool
    purged: bool


def _text(detail: dict[str, object], key: str) -> str | None:
    value = detail.get(key)
    return value if isinstance(value, str) and value else None


def note_event(session: Session, event: StatusEvent) -> bool:
    """Record what ``event`` says about a result; True when it named a new one for pickup."""
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    if event.state is SubmissionState.delivered:
        session.execute(
            update(ReceivedResult)
            .where(
                ReceivedResult.client_uuid == str(event.client_uuid), ReceivedResult.handed_over_at.is_(None)
            )
            .values(handed_over_at=at)
        )
        return False
    detail = event.detail
    result_id = _text(detail, "result_id")
    if event.state is not SubmissionState.completed or result_id is None or detail.get("delivery") != PICKUP:
        return False
    if session.get(ReceivedResult, result_id) is not None:
        return False
    session.add(
        ReceivedResult(
            result_id=result_id[:40],
            client_uuid=str(event.client_uuid),
            receipt_no=event.receipt_no,
            kind=_text(detail, "result_kind") or "paper",
            sha256=_text(detail, "result_sha256"),
            tracking_no=(_text(detail, "tracking_no") or "")[:40] or None,
            announced_at=at,
            attempts=0,
        )
    )
    return True


def to_fetch(store: KioskStore) -> list[ReceivedResult]:
    """Electronic results announced but not yet stored (nor purged)."""
    with store.db.read() as s:
        return list(
            s.scalars(
                select(ReceivedResult)
                .where(
                    ReceivedResult.sha256.is_not(None),
                    ReceivedResult.stored_at.is_(None),
                    ReceivedResult.purged_at.is_(None),
                )
                .order_by(ReceivedResult.announced_at)
            )
        )


def keep(store: KioskStore, result_id: str, data: bytes) -> None:
    """Seal the fetched PDF; refuse (ValueError) bytes whose hash the feed did not announce."""
    with store.db.write() as s:
        row = s.get(ReceivedResult, result_id)
        if row is None or row.sha256 is None:
            raise ValueError(f"result {result_id} was not announced as an electronic result")
        if hashlib.sha256(data).hexdigest() != row.sha256:
            raise ValueError(f"result {result_id}: the fetched file does not match the announced sha256")
        store.results.put(data)
        row.stored_at = utcnow()
        row.last_error = None


def record_failure(store: KioskStore, result_id: str, error: str) -> None:
    with store.db.write() as s:
        row = s.get(ReceivedResult, result_id)
        if row is not None:
            row.attempts += 1
            row.last_error = error[:500]


def mark_handed_over(session: Session, receipt_no: str, at: datetime | None = None) -> int:
    """The kiosk's handover record calls this in its own transaction; rows changed."""
    done = session.execute(
        update(ReceivedResult)
        .where(ReceivedResult.receipt_no == receipt_no, ReceivedResult.handed_over_at.is_(None))
        .values(handed_over_at=at or utcnow())
    )
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def _view(row: ReceivedResult) -> ResultView:
    return ResultView(
        result_id=row.result_id, receipt_no=row.receipt_no, kind=row.kind, sha256=row.sha256,
        tracking_no=row.tracking_no, stored=row.stored_at is not None and row.purged_at is None,
        handed_over=row.handed_over_at is not None, purged=row.purged_at is not None,
    )  # fmt: skip


def for_receipt(store: KioskStore, receipt_no: str) -> list[ResultView]:
    """The results announced here for ``receipt_no``, newest first."""
    with store.db.read() as s:
        rows = s.scalars(
            select(ReceivedResult)
            .where(ReceivedResult.receipt_no == receipt_no)
            .order_by(ReceivedResult.announced_at.desc())
        )
        return [_view(row) for row in rows]


def pdf_for_receipt(store: KioskStore, receipt_no: str) -> tuple[ResultView, bytes]:
    """The newest stored electronic result of ``receipt_no``, opened and hash-checked."""
    stored = [v for v in for_receipt(store, receipt_no) if v.stored and v.sha256]
    if not stored:
        raise ResultNotHere(f"no electronic result of {receipt_no} is stored on this kiosk")
    view = stored[0]
    assert view.sha256 is not None
    try:
        return view, store.results.get(view.sha256)
    except PageMissing as exc:
        raise ResultNotHere(str(exc)) from None


def purge_results(
    store: KioskStore, after: timedelta = DEFAULT_AFTER_HANDOVER, now: datetime | None = None
) -> int:
    """Delete the sealed PDFs of results handed over more than ``after`` ago; how many."""
    now = now or utcnow()
    with store.db.write() as s:
        due = list(
            s.scalars(
                select(ReceivedResult).where(
                    ReceivedResult.handed_over_at <= now - after, ReceivedResult.purged_at.is_(None)
                )
            )
        )
        leaving = [r.result_id for r in due]
        kept = select(ReceivedResult.sha256).where(
            ReceivedResult.purged_at.is_(None), ReceivedResult.result_id.not_in(leaving)
        )
        shared = {sha for sha in s.scalars(kept) if sha}
        for row in due:
            if row.sha256 and row.sha256 not in shared:
                store.results.delete(row.sha256)
            row.purged_at = now
    return len(due)
