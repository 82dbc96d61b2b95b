"""Finding the case a kiosk's follow-up names (a handover, a supplement) by receipt number."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import ApiError
from .models import Submission


def locked_case(session: Session, receipt_no: str) -> Submission:
    """The case, row-locked for the rest of the transaction (PostgreSQL; SQLite's writes are
    serial anyway), so two follow-ups of one case are decided one after the other; 404
    ``unknown_receipt`` when there is none."""
    submission = session.scalars(
        select(Submission).where(Submission.receipt_no == receipt_no).with_for_update()
    ).first()
    if submission is None:
        raise ApiError(
            404, "unknown_receipt", "no submission with this receipt number", "没有该受理编号的申请"
        )
    return submission
