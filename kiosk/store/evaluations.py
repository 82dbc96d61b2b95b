"""Evaluations (评价, 9.1) queued offline and sent like submissions, idempotent by uuid.

A comment is free text a resident typed and may hold personal data, so the queued
evaluation is sealed like everything else.
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from shared_schema import Evaluation, Stage

from .home import KioskStore
from .models import QueuedEvaluation, utcnow

REFUSED = "refused:"


def _refused() -> ColumnElement[bool]:
    """Refused by the server (409/422): kept for staff, not sent again blindly."""
    return func.coalesce(QueuedEvaluation.last_error, "").startswith(REFUSED)


class Evaluations:
    def __init__(self, store: KioskStore) -> None:
        self.store = store

    def queue(
        self,
        score: int,
        *,
        station_code: str,
        receipt_no: str | None = None,
        comment: str = "",
        at_stage: Stage = Stage.collect,
        now: datetime | None = None,
    ) -> Evaluation:
        """Validate and queue one rating; it is sent on the next sync."""
        evaluation = Evaluation.parse(
            {
                "evaluation_uuid": str(uuidlib.uuid4()),
                "receipt_no": receipt_no,
                "station_code": station_code,
                "at_stage": at_stage,
                "score": score,
                "comment": comment,
                "created_at": (now or utcnow()).isoformat(),
            }
        )
        key = str(evaluation.evaluation_uuid)
        sealed = self.store.key.seal(evaluation.model_dump_json().encode("utf-8"), f"evaluation:{key}")
        with self.store.db.write() as s:
            s.add(QueuedEvaluation(evaluation_uuid=key, payload_enc=sealed, created_at=utcnow()))
        return evaluation

    def pending(self, limit: int = 500) -> list[Evaluation]:
        query = (
            select(QueuedEvaluation)
            .where(QueuedEvaluation.sent_at.is_(None), ~_refused())
            .order_by(QueuedEvaluation.created_at)
            .limit(limit)
        )
        with self.store.db.read() as s:
            rows = s.scalars(query).all()
            return [
                Evaluation.parse_json(self.store.key.open(r.payload_enc, f"evaluation:{r.evaluation_uuid}"))
                for r in rows
            ]

    def mark_sent(self, evaluation_uuid: str) -> None:
        with self.store.db.write() as s:
            row = s.get(QueuedEvaluation, evaluation_uuid)
            if row is not None and row.sent_at is None:
                row.sent_at = utcnow()

    def record_error(self, evaluation_uuid: str, error: str) -> None:
        with self.store.db.write() as s:
            row = s.get(QueuedEvaluation, evaluation_uuid)
            if row is not None:
                row.attempts += 1
                row.last_error = error[:2000]

    def pending_count(self) -> int:
        with self.store.db.read() as s:
            return s.scalar(select(func.count()).where(QueuedEvaluation.sent_at.is_(None))) or 0
