"""The outbox: every state change of a submission goes through :meth:`Outbox.move`.

A finalized submission is durable (sealed manifest file + committed row, both fsynced)
before the resident sees a receipt number. On start-up anything caught mid-upload goes
back to ``finalized``: the server deduplicates by client UUID, so sending it again is safe.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared_schema import SubmissionManifest

from .home import KioskStore
from .models import OutboxItem, OutboxPage, OutboxTransition, utcnow
from .states import SERVER_STATES, WAITING, IllegalTransition, OutboxState, check_transition

log = logging.getLogger(__name__)
#: How a renumbering after a receipt conflict starts its audit entry (``kiosk.store.renumber``).
RENUMBERED_FROM = "renumbered from "


class UnknownSubmission(KeyError):
    pass


@dataclass(frozen=True)
class OutboxEntry:
    """What the UI and ``status`` may show about an item: no personal data."""

    client_uuid: str
    receipt_no: str
    state: OutboxState
    matter_code: str
    created_at: datetime
    state_changed_at: datetime
    finalized_at: datetime | None
    page_count: int
    attempts: int
    last_error: str | None
    failure_reason: str | None
    exported: bool
    purged: bool
    department_code: str | None
    last_message: str | None

    @classmethod
    def of(cls, row: OutboxItem) -> OutboxEntry:
        return cls(
            client_uuid=row.client_uuid,
            receipt_no=row.receipt_no,
            state=OutboxState(row.state),
            matter_code=row.matter_code,
            created_at=row.created_at,
            state_changed_at=row.state_changed_at,
            finalized_at=row.finalized_at,
            page_count=row.page_count,
            attempts=row.attempts,
            last_error=row.last_error,
            failure_reason=row.failure_reason,
            exported=row.exported_at is not None,
            purged=row.purged_at is not None,
            department_code=row.department_code,
            last_message=row.last_message,
        )

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["state"] = self.state.value
        return data


class Outbox:
    def __init__(self, store: KioskStore) -> None:
        self.store = store
        self.db = store.db

    # -- the one place a state changes ---------------------------------------------------
    @staticmethod
    def move(session: Session, row: OutboxItem, target: OutboxState, reason: str = "") -> bool:
        """Apply a legal transition (raises :class:`IllegalTransition`); same state is a no-op."""
        if row.state == target.value:
            return False
        check_transition(row.client_uuid, row.state, target.value)
        now = utcnow()
        session.add(
            OutboxTransition(
                client_uuid=row.client_uuid,
                from_state=row.state,
                to_state=target.value,
                at=now,
                reason=reason,
            )
        )
        row.state = target.value
        row.state_changed_at = now
        if target is OutboxState.acknowledged:
            row.acknowledged_at = now
        return True

    @staticmethod
    def row(session: Session, client_uuid: str) -> OutboxItem:
        row = session.get(OutboxItem, client_uuid)
        if row is None:
            raise UnknownSubmission(client_uuid)
        return row

    # -- start-up ----------------------------------------------------------------------------
    def recover_interrupted(self) -> int:
        """Put everything left in ``uploading`` (crash, kill, power cut) back to ``finalized``."""
        with self.db.write() as s:
            rows = s.scalars(select(OutboxItem).where(OutboxItem.state == OutboxState.uploading.value)).all()
            for row in rows:
                self.move(s, row, OutboxState.finalized, "start-up: upload was interrupted")
            return len(rows)

    # -- queries -----------------------------------------------------------------------------
    def get(self, client_uuid: str) -> OutboxEntry:
        with self.db.read() as s:
            return OutboxEntry.of(self.row(s, client_uuid))

    def find(self, receipt_no: str) -> OutboxEntry | None:
        """The item with this receipt number, or the one renumbered away from it (the
        resident's receipt notice shows the number it was given first)."""
        with self.db.read() as s:
            row = s.scalars(select(OutboxItem).where(OutboxItem.receipt_no == receipt_no)).one_or_none()
            if row is None:
                moved = select(OutboxTransition.client_uuid).where(
                    OutboxTransition.reason.like(f"{RENUMBERED_FROM}{receipt_no} to %")
                )
                row = s.scalars(select(OutboxItem).where(OutboxItem.client_uuid.in_(moved))).first()
            return OutboxEntry.of(row) if row else None

    def renumbered_from(self, client_uuid: str) -> list[str]:
        """The receipt numbers this item had before (oldest first; ``kiosk.store.renumber``)."""
        query = (
            select(OutboxTransition.reason)
            .where(OutboxTransition.client_uuid == client_uuid)
            .where(OutboxTransition.reason.like(f"{RENUMBERED_FROM}%"))
            .order_by(OutboxTransition.id)
        )
        with self.db.read() as s:
            numbers = [reason[len(RENUMBERED_FROM) :].split(" ", 1)[0] for reason in s.scalars(query)]
        return list(dict.fromkeys(numbers))  # a renumbering cut short is redone from the same number

    def entries(self, states: Iterable[OutboxState] | None = None, limit: int = 1000) -> list[OutboxEntry]:
        query = select(OutboxItem).order_by(OutboxItem.created_at.desc()).limit(limit)
        if states is not None:
            query = query.where(OutboxItem.state.in_([s.value for s in states]))
        with self.db.read() as s:
            return [OutboxEntry.of(r) for r in s.scalars(query)]

    def waiting_uuids(self, limit: int = 10_000) -> list[str]:
        """Finalized submissions in the order they were finalized (oldest first)."""
        query = (
            select(OutboxItem.client_uuid)
            .where(OutboxItem.state == OutboxState.finalized.value)
            .order_by(OutboxItem.finalized_at, OutboxItem.receipt_no)
            .limit(limit)
        )
        with self.db.read() as s:
            return list(s.scalars(query))

    def counts(self) -> dict[str, int]:
        query = select(OutboxItem.state, func.count()).group_by(OutboxItem.state)
        with self.db.read() as s:
            return {state: n for state, n in s.execute(query).all()}

    def oldest_waiting_at(self) -> datetime | None:
        query = select(func.min(OutboxItem.finalized_at)).where(
            OutboxItem.state.in_([s.value for s in WAITING])
        )
        with self.db.read() as s:
            return s.scalar(query)

    def manifest(self, client_uuid: str) -> SubmissionManifest:
        return self.store.manifests.read(client_uuid)

    def page_hashes(self, client_uuid: str) -> list[str]:
        with self.db.read() as s:
            return list(s.scalars(select(OutboxPage.sha256).where(OutboxPage.client_uuid == client_uuid)))

    # -- the push side -----------------------------------------------------------------------
    def begin_upload(self, client_uuid: str) -> bool:
        """finalized → uploading; False if the item is no longer waiting (e.g. feed said done)."""
        with self.db.write() as s:
            row = self.row(s, client_uuid)
            if row.state != OutboxState.finalized.value:
                return False
            self.move(s, row, OutboxState.uploading, "push started")
            row.attempts += 1
            return True

    def upload_interrupted(self, client_uuid: str, error: str) -> None:
        with self.db.write() as s:
            row = self.row(s, client_uuid)
            row.last_error = error[:2000]
            if row.state == OutboxState.uploading.value:
                self.move(s, row, OutboxState.finalized, f"upload interrupted: {error[:200]}")

    def acknowledge(self, client_uuid: str, answer: dict[str, Any]) -> None:
        """The server's signed answer arrived: the local copy is no longer the only one."""
        with self.db.write() as s:
            row = self.row(s, client_uuid)
            if row.state not in SERVER_STATES:  # the feed may already have moved it further
                self.move(s, row, OutboxState.acknowledged, "server acknowledged")
            row.last_error = None
            row.exported_at = None
            row.department_code = answer.get("department_code") or row.department_code
            row.server_received_at = str(answer.get("received_at") or "") or None
            self.advance(s, row, answer.get("state"), "state in acknowledgement")

    def fail(self, client_uuid: str, reason: str) -> None:
        with self.db.write() as s:
            row = self.row(s, client_uuid)
            self.move(s, row, OutboxState.failed, reason[:200])
            row.failure_reason = reason[:2000]

    def requeue(self, client_uuid: str) -> None:
        """Staff decided to send a failed item again (e.g. after the server fixed its side)."""
        with self.db.write() as s:
            row = self.row(s, client_uuid)
            self.move(s, row, OutboxState.finalized, "requeued by staff")
            row.failure_reason = None

    def advance(self, s: Session, row: OutboxItem, state: str | None, reason: str) -> bool:
        """Apply a server-reported state, passing through ``acknowledged`` if the kiosk never
        saw the acknowledgement (a sneakernet import, or an answer lost on the way back)."""
        if not state:
            return False
        target = OutboxState(state)
        if target not in SERVER_STATES or row.state == OutboxState.failed.value:
            return False
        if target is OutboxState.acknowledged and row.state in SERVER_STATES:
            return False  # an older event: the acknowledgement already told us more
        try:
            if row.state in (OutboxState.finalized.value, OutboxState.uploading.value):
                self.move(s, row, OutboxState.acknowledged, reason)
                row.exported_at = None
            return self.move(s, row, target, reason)
        except IllegalTransition as exc:
            log.info("status not applied: %s", exc)  # kept in status_events; the state stays sane
            return False
