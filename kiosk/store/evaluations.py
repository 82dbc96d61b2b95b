"""Evaluations (评价, 9.1) queued offline and sent like submissions, idempotent by uuid.

A comment is free text a resident typed and may hold personal data, so the queued
evaluation is sealed like everything else. A rating at handling (after a handover)
names its case; the server ties it to the case's department.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterable
from datetime import datetime

from shared_schema import Evaluation, EvaluationStage, RatingReason

from .home import KioskStore
from .models import QueuedEvaluation, utcnow
from .sealed_queue import REFUSED, SealedQueue

__all__ = ["REFUSED", "Evaluations"]


class Evaluations(SealedQueue[Evaluation]):
    def __init__(self, store: KioskStore) -> None:
        super().__init__(store, QueuedEvaluation, Evaluation, "evaluation")

    def queue(
        self,
        score: int,
        *,
        station_code: str,
        receipt_no: str | None = None,
        comment: str = "",
        at_stage: EvaluationStage = EvaluationStage.collect,
        reasons: Iterable[RatingReason | str] = (),
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
                "reasons": list(reasons),
                "created_at": (now or utcnow()).isoformat(),
            }
        )
        self.put(str(evaluation.evaluation_uuid), evaluation)
        return evaluation
