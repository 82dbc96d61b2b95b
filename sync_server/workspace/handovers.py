"""What the workspace shows of a station handover (送达) and of the ratings of a case.

The kiosk's handover record (``sync_server.handover``) holds who handed the result to
whom and how identity was checked; the case page, the flow card's 送达 row and the ledger
read it from here, never from the status event (which carries no personal data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema import IdentityCheck, RatingReason
from shared_schema.forms import NATIONAL_LEVELS, RATING_REASON_WORDS
from shared_schema.handover import IDENTITY_CHECK_WORDS

from ..models import Evaluation, Handover, Submission
from ..workdays import CHINA_TZ

STAGE_WORDS = {"collect": "收件时评价", "handle": "办结送达后评价"}


def handover_of(session: Session, submission: Submission) -> Handover | None:
    return session.scalars(select(Handover).where(Handover.submission_id == submission.id)).first()


def handover_words(row: Handover) -> str:
    """One line for the flow card and the case page: to whom, how identity was checked."""
    check = IDENTITY_CHECK_WORDS.get(IdentityCheck(row.identity_check), row.identity_check)
    return f"服务站交付 {row.handed_to}（{check}，证件号 {row.id_number_masked}），经办人 {row.handed_by}"


def ledger_note(at: datetime) -> str:
    return f"已送达 {at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class RatingView:
    at: datetime
    stage: str
    score: int
    level: str
    reasons: str
    comment: str
    stage_code: str = ""
    channel: str = "kiosk"


def ratings_of(session: Session, submission: Submission) -> list[RatingView]:
    """Every rating of the case with its national 好差评 level (NATIONAL_LEVELS)."""
    rows = session.scalars(
        select(Evaluation).where(Evaluation.receipt_no == submission.receipt_no).order_by(Evaluation.id)
    )
    return [
        RatingView(
            at=row.created_at,
            stage=STAGE_WORDS.get(row.at_stage, row.at_stage),
            score=row.score,
            level=NATIONAL_LEVELS.get(row.score, str(row.score)),
            reasons="、".join(RATING_REASON_WORDS[RatingReason(r)] for r in _reasons(row)),
            comment=row.comment,
            stage_code=row.at_stage,
            channel=row.channel,
        )
        for row in rows
    ]


def _reasons(row: Evaluation) -> list[str]:
    return list(row.reasons or [])
