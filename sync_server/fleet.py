"""Kiosk fleet health and feedback: heartbeats, the stale-kiosk list, evaluations."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared_schema import Evaluation, EvaluationStage
from shared_schema.api import EvaluationAck, Heartbeat, HeartbeatAck
from shared_schema.transfer import transfer_deadline

from . import clock
from .db import Database, utcnow
from .enrollment import KioskPrincipal
from .errors import ApiError
from .models import Evaluation as EvaluationRow
from .models import Kiosk, KioskHeartbeat, Submission
from .once import insert_once
from .rectification import open_for_rating
from .workdays import calendar

_BEAT_FIELDS = (
    "queue_length",
    "oldest_waiting_at",
    "last_error",
    "disk_free_bytes",
    "app_version",
    "catalog_version",
)


def record_heartbeat(
    db: Database, principal: KioskPrincipal, beat: Heartbeat, now: datetime | None = None
) -> HeartbeatAck:
    """Keep the latest heartbeat of the kiosk and answer with its feed position and its
    feedback prefix (kiosks enrolled before prefixes existed learn theirs here).

    One statement (an upsert returning ``kiosks.feed_seq``), outside any transaction on
    PostgreSQL: this is most of an idle fleet's traffic, and a heartbeat lost in a crash is
    harmless (the next one replaces it).
    """
    now = now or utcnow()
    values = {"kiosk_id": principal.kiosk_id, "received_at": now}
    values.update({name: getattr(beat, name) for name in _BEAT_FIELDS})
    insert = pg_insert if not db.is_sqlite else sqlite_insert
    table = KioskHeartbeat.__table__
    statement = insert(table).values(values)
    mine = Kiosk.kiosk_id == principal.kiosk_id
    position = select(Kiosk.feed_seq).where(mine).scalar_subquery()
    prefix = select(Kiosk.feedback_prefix).where(mine).scalar_subquery()
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.kiosk_id],
        set_={name: statement.excluded[name] for name in ("received_at", *_BEAT_FIELDS)},
    ).returning(position, prefix)
    with db.single_statement(write=True) as connection:
        feed_next, feedback_prefix = connection.execute(statement).one()
    return HeartbeatAck(
        kiosk_id=principal.kiosk_id, received_at=now, feed_next=feed_next, feedback_prefix=feedback_prefix
    )


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
                **transfer_alarm(beat.oldest_waiting_at if beat else None, now),
            }
        )
    return out


def transfer_alarm(oldest_waiting_at: datetime | None, now: datetime) -> dict[str, Any]:
    """The transfer deadline of a kiosk's oldest unsent item and how near it is: ``overdue``
    (past it), ``due_soon`` or None — judged as the kiosk's own header judges it
    (:mod:`shared_schema.transfer`), on this server's working-day calendar."""
    if oldest_waiting_at is None:
        return {"transfer_due": None, "transfer_days_left": None, "transfer_alarm": None}
    found = transfer_deadline(calendar(), oldest_waiting_at, now)
    alarm = found.alarm.value if found.alarm else None
    return {
        "transfer_due": found.due.isoformat(),
        "transfer_days_left": found.days_left,
        "transfer_alarm": alarm,
    }


def record_evaluation(
    session: Session,
    principal: KioskPrincipal,
    evaluation: Evaluation,
    now: datetime | None = None,
    *,
    channel: str = "kiosk",
) -> tuple[EvaluationAck, bool]:
    """Store an evaluation once per ``evaluation_uuid``: replay → same answer, else 409.
    The online zone's rating of the collection comes here too (``channel`` online, its
    principal the case's virtual desk), so a bad one opens its rectification the same way."""
    if evaluation.station_code != principal.station_code:
        raise ApiError(
            403,
            "not_your_station",
            "evaluations are accepted for the kiosk's own station only",
            "只能提交本服务站的评价",
        )
    body = evaluation.model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()
    now = now or clock.now()
    case = _rated_case(session, evaluation)

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
                department_code=case.department_code if case else None,
                score=evaluation.score,
                comment=evaluation.comment,
                reasons=[r.value for r in evaluation.reasons] or None,
                created_at=evaluation.created_at,
                received_at=now,
                content_digest=digest,
                channel=channel,
            ),
        )

    existing = find()
    if existing is None and evaluation.at_stage is EvaluationStage.handle:
        _one_handling_rating(session, evaluation)
    try:
        row, created = insert_once(session, find, create)
    except IntegrityError:  # another channel rated the case at handling meanwhile (一事一评)
        _one_handling_rating(session, evaluation)
        raise
    if created:
        open_for_rating(session, row, now)  # 差评 → 整改, in the rating's own transaction
    if row.content_digest != digest:
        raise ApiError(
            409,
            "conflict",
            "this evaluation_uuid was sent with different content",
            "该评价已以不同内容提交",
            {"evaluation_uuid": str(evaluation.evaluation_uuid)},
        )
    return EvaluationAck(evaluation_uuid=row.evaluation_uuid, received_at=row.received_at), created


def _rated_case(session: Session, evaluation: Evaluation) -> Submission | None:
    """The case a rating names (its department is the rating's); a rating at handling must
    name a known case (404 otherwise), a rating at collection may come before its case."""
    case = (
        session.scalars(select(Submission).where(Submission.receipt_no == evaluation.receipt_no)).first()
        if evaluation.receipt_no
        else None
    )
    if case is None and evaluation.at_stage is EvaluationStage.handle:
        raise ApiError(
            404, "unknown_receipt", "a rating at handling names an unknown case", "没有该受理编号的申请"
        )
    return case


def _one_handling_rating(session: Session, evaluation: Evaluation) -> None:
    """一事一评: one rating at handling per case (another uuid for it is refused)."""
    earlier = session.scalars(
        select(EvaluationRow.evaluation_uuid).where(
            EvaluationRow.receipt_no == evaluation.receipt_no,
            EvaluationRow.at_stage == EvaluationStage.handle.value,
        )
    ).first()
    if earlier is not None:
        raise ApiError(
            409,
            "already_rated",
            "this case was already rated at handling",
            "该申请的办理已评价",
            {"evaluation_uuid": str(earlier)},
        )
