"""Rating at the 回访 call (9.1): a result that was not handed over at a station is rated by
phone; department staff type what the resident said. The online channel's rating at
handling (``online.follow``) is stored by the same :func:`store_handle_rating`.

Stage ``handle``, channel ``phone``, tied to the case, its collecting station and its
department, with who recorded it. 一次一评: one rating at handling per case, whichever
channel (the kiosk's handover rating or this one) — the database's unique index decides
a race. A rating of 1 or 2 opens a rectification in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared_schema import EvaluationStage, RatingReason, SubmissionState
from shared_schema.bounds import COMMENT_LEN

from ..models import Evaluation, Submission
from ..rectification import open_for_rating
from .errors import WorkspaceError
from .models import CaseResult, StaffUser

RATED_STATES = (
    SubmissionState.completed.value,
    SubmissionState.delivered.value,
    SubmissionState.archived.value,
)
STATION_DELIVERY = "pickup"  # rated at the kiosk's handover instead


def _refuse(message: str, message_zh: str, status: int = 400) -> WorkspaceError:
    return WorkspaceError(message, message_zh, status=status)


def parse(score: str, reasons: Sequence[str], comment: str) -> tuple[int, list[str], str]:
    """The form as typed: a 1–5 score, known reasons (each once), a bounded comment."""
    if score not in {"1", "2", "3", "4", "5"}:
        raise _refuse("score must be 1 to 5", "请选择 1–5 分的评价")
    known = {r.value for r in RatingReason}
    if any(r not in known for r in reasons) or len(set(reasons)) != len(reasons):
        raise _refuse("unknown or repeated reason", "评价原因无效")
    comment = comment.strip()
    if "\x00" in comment:
        raise _refuse("comment contains NUL", "评价内容含有无效字符")
    if len(comment) > COMMENT_LEN:
        raise _refuse("comment too long", f"评价内容不能超过{COMMENT_LEN}字")
    return int(score), list(reasons), comment


def record(
    session: Session, staff: StaffUser, case: Submission, score: int, reasons: list[str], comment: str,
    now: datetime,
) -> Evaluation:  # fmt: skip
    """Store the phone rating (and its rectification when it is bad); 409 when not allowed."""
    if case.state not in RATED_STATES:
        raise _refuse("the case has no result to rate yet", "该申请尚未办结，不能回访评价", 409)
    delivery = session.scalars(
        select(CaseResult.delivery).where(CaseResult.submission_id == case.id).order_by(CaseResult.id.desc())
    ).first()
    if delivery == STATION_DELIVERY:
        raise _refuse(
            "a pickup result is rated at the station's kiosk", "服务站领取的结果由申请人在终端评价", 409
        )
    return store_handle_rating(
        session, case, score, reasons, comment, now, channel="phone", recorded_by=staff.username
    )


def store_handle_rating(
    session: Session, case: Submission, score: int, reasons: list[str], comment: str, now: datetime,
    *, channel: str, recorded_by: str | None,
) -> Evaluation:  # fmt: skip
    """The rating at handling of ``case`` from ``channel`` (phone, online), once per case:
    409 when it is rated already (the unique index decides a race); a bad rating opens its
    rectification in the same transaction."""
    if case.station_code is None:
        raise _refuse("the case names no station", "该申请没有收件服务站，无法记录评价", 409)
    if stage_rating(session, case.receipt_no, EvaluationStage.handle) is not None:
        raise _refuse("already rated at handling", "该申请的办理已评价（一次一评）", 409)
    body = {"receipt_no": case.receipt_no, "score": score, "reasons": reasons, "comment": comment,
            "channel": channel, "recorded_by": recorded_by, "at": now.isoformat()}  # fmt: skip
    row = Evaluation(
        evaluation_uuid=uuid.uuid4(), kiosk_id=None, station_code=case.station_code,
        receipt_no=case.receipt_no, at_stage=EvaluationStage.handle.value,
        department_code=case.department_code, score=score, comment=comment, reasons=reasons or None,
        created_at=now, received_at=now, channel=channel, recorded_by=recorded_by,
        content_digest=hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest(),
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise _refuse("already rated at handling", "该申请的办理已评价（一次一评）", 409) from None
    open_for_rating(session, row, now)
    return row


def stage_rating(session: Session, receipt_no: str, stage: EvaluationStage) -> Evaluation | None:
    """The case's rating at ``stage`` (一次一评: at most one, whichever channel gave it)."""
    return session.scalars(
        select(Evaluation)
        .where(Evaluation.receipt_no == receipt_no, Evaluation.at_stage == stage.value)
        .order_by(Evaluation.id)
    ).first()
