"""Kiosk fleet health and feedback: heartbeats, the stale-kiosk list, evaluations."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema import Evaluation
from shared_schema.api import EvaluationAck, Heartbeat, HeartbeatAck

from .db import utcnow
from .enrollment import KioskPrincipal
from .errors import ApiError
from .models import Evaluation as EvaluationRow
from .models import Kiosk, KioskHeartbeat
from .once import insert_once


def record_heartbeat(
    session: Session, principal: KioskPrincipal, beat: Heartbeat, now: datetime | None = None
) -> HeartbeatAck:
    """Keep the latest heartbeat of the kiosk (an upsert; races resolve to one row)."""
    now = now or utcnow()
    row, _ = insert_once(
        session,
        lambda: session.get(KioskHeartbeat, principal.kiosk_id),
        lambda: _add(
            session,
            KioskHeartbeat(
                kiosk_id=principal.kiosk_id, received_at=now, queue_length=0, app_version=beat.app_version
            ),
        ),
    )
    row.received_at = now
    for name in (
        "queue_length",
        "oldest_waiting_at",
        "last_error",
        "disk_free_bytes",
        "app_version",
        "catalog_version",
    ):
        setattr(row, name, getattr(beat, name))
    session.flush()
    return HeartbeatAck(kiosk_id=principal.kiosk_id, received_at=now)


def _add(session: Session, row: Any) -> Any:
    session.add(row)
    return row


def kiosk_overview(
    session: Session, stale_after: timedelta | None, now: datetime | None = None
) -> list[dict]:
    """Every kiosk with its last heartbeat; with ``stale_after``, only the silent ones."""
    now = now or utcnow()
    rows = session.execute(
        select(Kiosk, KioskHeartbeat).outerjoin(KioskHeartbeat).order_by(Kiosk.station_code, Kiosk.kiosk_id)
    ).all()
    out = []
    for kiosk, beat in rows:
        last = beat.received_at if beat else None
        stale = last is None or (stale_after is not None and now - last > stale_after)
        if stale_after is not None and (not stale or kiosk.revoked_at is not None):
            continue
        out.append(
            {
                "kiosk_id": kiosk.kiosk_id,
                "station_code": kiosk.station_code,
                "name": kiosk.name,
                "revoked": kiosk.revoked_at is not None,
                "last_heartbeat_at": last.isoformat() if last else None,
                "silent_for_seconds": int((now - last).total_seconds()) if last else None,
                "queue_length": beat.queue_length if beat else None,
                "oldest_waiting_at": beat.oldest_waiting_at.isoformat()
                if beat and beat.oldest_waiting_at
                else None,
                "last_error": beat.last_error if beat else None,
                "app_version": beat.app_version if beat else None,
                "catalog_version": beat.catalog_version if beat else None,
            }
        )
    return out


def record_evaluation(
    session: Session, principal: KioskPrincipal, evaluation: Evaluation, now: datetime | None = None
) -> tuple[EvaluationAck, bool]:
    """Store an evaluation once per ``evaluation_uuid``: replay → same answer, else 409."""
    if evaluation.station_code != principal.station_code:
        raise ApiError(
            403,
            "not_your_station",
            "evaluations are accepted for the kiosk's own station only",
            "只能提交本服务站的评价",
        )
    body = evaluation.model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()
    now = now or utcnow()

    def find() -> EvaluationRow | None:
        return session.scalars(
            select(EvaluationRow).where(EvaluationRow.evaluation_uuid == evaluation.evaluation_uuid)
        ).first()

    def create() -> EvaluationRow:
        return _add(
            session,
            EvaluationRow(
                evaluation_uuid=evaluation.evaluation_uuid,
                kiosk_id=principal.kiosk_id,
                station_code=evaluation.station_code,
                receipt_no=evaluation.receipt_no,
                at_stage=evaluation.at_stage.value,
                score=evaluation.score,
                comment=evaluation.comment,
                created_at=evaluation.created_at,
                received_at=now,
                content_digest=digest,
            ),
        )

    row, created = insert_once(session, find, create)
    if row.content_digest != digest:
        raise ApiError(
            409,
            "conflict",
            "this evaluation_uuid was sent with different content",
            "该评价已以不同内容提交",
            {"evaluation_uuid": str(evaluation.evaluation_uuid)},
        )
    return EvaluationAck(evaluation_uuid=row.evaluation_uuid, received_at=row.received_at), created
