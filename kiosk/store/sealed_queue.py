"""A small queue of sealed request bodies sent once each by uuid (evaluations, handovers).

Each row holds one pydantic model sealed with the kiosk key (it may hold personal data),
keyed by the client uuid the server deduplicates on. A body the server refused (409,
422 …) is kept with ``last_error`` starting ``refused:`` — held for staff, never sent
again blindly and never deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, func, inspect, select
from sqlalchemy.orm import Session

from shared_schema.base import SchemaModel

from .home import KioskStore
from .models import utcnow

REFUSED = "refused:"
M = TypeVar("M", bound=SchemaModel)


class NotAcknowledged(Exception):
    """The server's 2xx answer does not acknowledge the body sent (malformed, or names
    another item): the body stays queued and is sent again on the next sync."""


@dataclass(frozen=True)
class QueuedStatus(Generic[M]):
    """A queued body as staff see it: sent, waiting, or refused with the server's reason."""

    body: M
    sent: bool
    refused: str | None  # the server's refusal, when it refused


class SealedQueue(Generic[M]):
    """Rows of ``row_type`` (key, ``payload_enc``, ``created_at``, ``sent_at``, ``attempts``,
    ``last_error``) holding ``model`` bodies sealed under ``"<purpose>:<key>"``."""

    def __init__(self, store: KioskStore, row_type: Any, model: type[M], purpose: str) -> None:
        self.store, self.row_type, self.model, self.purpose = store, row_type, model, purpose
        self._key_column = inspect(row_type).primary_key[0]
        self.key_name = self._key_column.name  # the model's uuid field has the same name

    def _refused(self) -> ColumnElement[bool]:
        return func.coalesce(self.row_type.last_error, "").startswith(REFUSED)

    def put(
        self, key: str, body: M, *, and_then: Callable[[Session], object] | None = None, **columns: Any
    ) -> None:
        """Queue ``body``; ``and_then`` runs in the same transaction (both or neither)."""
        sealed = self.store.key.seal(body.model_dump_json().encode("utf-8"), f"{self.purpose}:{key}")
        columns[self._key_column.name] = key
        row = self.row_type(payload_enc=sealed, created_at=utcnow(), **columns)
        with self.store.db.write() as s:
            s.add(row)
            if and_then is not None:
                and_then(s)

    def open(self, row: Any) -> M:
        key = getattr(row, self._key_column.name)
        return self.model.parse_json(self.store.key.open(row.payload_enc, f"{self.purpose}:{key}"))

    def pending(self, limit: int = 500) -> list[M]:
        query = (
            select(self.row_type)
            .where(self.row_type.sent_at.is_(None), ~self._refused())
            .order_by(self.row_type.created_at)
            .limit(limit)
        )
        with self.store.db.read() as s:
            return [self.open(r) for r in s.scalars(query).all()]

    def held(self, limit: int = 50) -> list[tuple[M, str]]:
        """Bodies the server refused, each with the refusal, newest first (for staff)."""
        query = select(self.row_type).where(self._refused()).order_by(self.row_type.created_at.desc())
        with self.store.db.read() as s:
            return [(self.open(r), r.last_error or "") for r in s.scalars(query.limit(limit)).all()]

    def for_receipt(self, receipt_no: str) -> QueuedStatus[M] | None:
        """The newest body queued for this case (queues with a ``receipt_no`` column)."""
        query = (
            select(self.row_type)
            .where(self.row_type.receipt_no == receipt_no)
            .order_by(self.row_type.created_at.desc())
            .limit(1)
        )
        with self.store.db.read() as s:
            row = s.scalars(query).first()
            if row is None:
                return None
            error = row.last_error or ""
            refused = error[len(REFUSED) :].strip() if error.startswith(REFUSED) else None
            return QueuedStatus(self.open(row), row.sent_at is not None, refused)

    def accept(self, key: str, answer: Any) -> None:
        """The server's signed answer to sending ``key``; queues whose acknowledgement
        carries something to keep override this (raising :class:`NotAcknowledged`)."""
        self.mark_sent(key)

    def mark_sent(self, key: str, at: datetime | None = None) -> None:
        with self.store.db.write() as s:
            row = s.get(self.row_type, key)
            if row is not None and row.sent_at is None:
                row.sent_at = at or utcnow()

    def record_error(self, key: str, error: str) -> None:
        with self.store.db.write() as s:
            row = s.get(self.row_type, key)
            if row is not None:
                row.attempts += 1
                row.last_error = error[:2000]

    def pending_count(self) -> int:
        """Unsent rows, the refused ones included."""
        with self.store.db.read() as s:
            return s.scalar(select(func.count()).where(self.row_type.sent_at.is_(None))) or 0

    def backlog(self) -> Backlog:
        """What still waits to be sent and what the server refused (the kiosk header's counts)."""
        refused = self._refused()
        query = select(
            func.count().filter(~refused),
            func.count().filter(refused),
            func.min(self.row_type.created_at).filter(~refused),
        ).where(self.row_type.sent_at.is_(None))
        with self.store.db.read() as s:
            waiting, held, oldest = s.execute(query).one()
        return Backlog(int(waiting or 0), int(held or 0), oldest)


@dataclass(frozen=True)
class Backlog:
    waiting: int  # queued, not sent yet (sent on the next sync that reaches the server)
    refused: int  # refused by the server: held for staff, never sent again
    oldest_waiting_at: datetime | None  # when the oldest waiting one was queued
