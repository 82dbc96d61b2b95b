"""送达 from the station: a kiosk's handover record moves a completed case to delivered.

Exactly once per ``handover_uuid``: a replay gets the stored acknowledgement byte for
byte; the same uuid with other content is a 409 ``conflict``. A case is delivered once:
a second handover (another uuid) is a 409 ``already_delivered``. Only a case completed
for pickup at the kiosk's own station may be handed over there (403 otherwise), and the
recipient's masked ID number must match the applicant's.

The status event names the handover by its uuid only (the feed carries no personal
data); the workspace reads who, to whom and how from the :class:`Handover` row.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema import Handover, HandoverAck
from shared_schema import SubmissionState as S
from shared_schema.handover import masked_id

from .cases import locked_case
from .db import utcnow
from .enrollment import KioskPrincipal
from .errors import ApiError
from .events import record_event
from .models import Handover as HandoverRow
from .models import Submission, SubmissionEvent

DELIVERED_ZH = "办理结果已在服务站交付申请人"
_NOT_YET = {S.acknowledged, S.routed, S.accepted, S.correction_requested, S.special_stage}


def content_digest(handover: Handover) -> str:
    body = handover.model_dump(mode="json")
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def record_handover(
    session: Session, principal: KioskPrincipal, handover: Handover, now: datetime | None = None
) -> tuple[str, bool]:
    """``(ack JSON, created)``; raises :class:`ApiError` 403/404/409 as the module says."""
    _own_station(principal, handover.station_code)
    digest = content_digest(handover)
    replay = _replay(session, handover, digest)
    if replay is not None:
        return replay, False
    submission = locked_case(session, handover.receipt_no)
    replay = _replay(session, handover, digest)  # a twin request may have committed while we waited
    if replay is not None:
        return replay, False
    _own_station(principal, pickup_station(submission) or submission.station_code)
    _ready(session, submission)
    _same_person(submission, handover)
    now = now or utcnow()
    row = HandoverRow(
        handover_uuid=handover.handover_uuid, submission_id=submission.id, kiosk_id=principal.kiosk_id,
        station_code=handover.station_code, receipt_no=handover.receipt_no, handed_by=handover.handed_by,
        handed_to=handover.handed_to, identity_check=handover.identity_check.value,
        id_number_masked=handover.id_number_masked, handed_at=handover.handed_at, received_at=now,
        content_digest=digest, ack_body="",
        signature=handover.signature.model_dump(mode="json") if handover.signature else None,
    )  # fmt: skip
    session.add(row)
    detail = {"action": "deliver", "how": "pickup", "handover": str(handover.handover_uuid)}
    record_event(session, submission, S.delivered, DELIVERED_ZH, detail, at=handover.handed_at)
    row.ack_body = HandoverAck(
        handover_uuid=handover.handover_uuid, receipt_no=submission.receipt_no, state=S.delivered,
        delivered_at=handover.handed_at, received_at=now,
    ).model_dump_json()  # fmt: skip
    session.flush()
    return row.ack_body, True


def _replay(session: Session, handover: Handover, digest: str) -> str | None:
    row = session.scalars(
        select(HandoverRow).where(HandoverRow.handover_uuid == handover.handover_uuid)
    ).first()
    if row is None:
        return None
    if row.content_digest != digest:
        raise ApiError(
            409,
            "conflict",
            "this handover_uuid was sent with different content",
            "该交付记录已以不同内容提交",
            {"handover_uuid": str(handover.handover_uuid)},
        )
    return row.ack_body


def _own_station(principal: KioskPrincipal, station_code: str | None) -> None:
    if station_code != principal.station_code:
        raise ApiError(
            403,
            "not_your_station",
            "a kiosk hands over only results waiting at its own station",
            "只能交付本服务站待领取的办理结果",
        )


def pickup_station(submission: Submission) -> str | None:
    """Where the result waits: the station named by the latest completion (None: mail/online)."""
    done: SubmissionEvent | None = next(
        (e for e in reversed(submission.events) if e.state == S.completed.value), None
    )
    return (done.detail or {}).get("pickup_station") if done else None


def _ready(session: Session, submission: Submission) -> None:
    state = S(submission.state)
    if state in {S.delivered, S.archived} or submission.delivered_at is not None:
        earlier = session.scalars(
            select(HandoverRow).where(HandoverRow.submission_id == submission.id)
        ).first()
        raise ApiError(
            409,
            "already_delivered",
            "this case was already delivered",
            "该申请的办理结果已交付，不能重复交付",
            {"delivered_at": submission.delivered_at.isoformat() if submission.delivered_at else None,
             "handover_uuid": str(earlier.handover_uuid) if earlier else None},
        )  # fmt: skip
    if state in _NOT_YET or state is S.rejected:
        raise ApiError(
            409,
            "not_completed",
            f"a case in state {state.value} has no result to hand over",
            "该申请尚未办结，没有可交付的办理结果",
            {"state": state.value},
        )
    if pickup_station(submission) is None:
        raise ApiError(
            409,
            "not_for_pickup",
            "this case's result is not sent to a station for pickup",
            "该申请的办理结果不在服务站领取",
        )


def _same_person(submission: Submission, handover: Handover) -> None:
    """The recipient's masked ID must be the applicant's (a person applicant)."""
    if (
        submission.applicant_id_number
        and masked_id(submission.applicant_id_number) != handover.id_number_masked
    ):
        raise ApiError(
            409,
            "identity_mismatch",
            "the recipient's ID number does not match the applicant's",
            "领取人证件号码与申请人不一致，不能交付",
        )
