"""意见建议 from kiosks (standard 5.5): a resident's feedback, exactly once; the answers."""

from __future__ import annotations

from flask import Response

from shared_schema.feedback import FeedbackLookup, FeedbackNote

from .. import feedback
from ..db import get_db
from . import bp
from .body import parse_body
from .io import answer, principal


@bp.post("/feedback", endpoint="feedback")
def feedback_note() -> Response:
    """201 new, 200 replay (same feedback number), 403 other station, 404 no matter, 409 conflict."""
    note = parse_body(FeedbackNote, "feedback")
    with get_db().transaction(write=True) as session:
        ack, created = feedback.record_note(session, principal(), note)
    return answer(ack, 201 if created else 200)


@bp.post("/feedback/answers", endpoint="feedback_answers")
def feedback_answers() -> Response:
    lookup = parse_body(FeedbackLookup, "feedback lookup")
    with get_db().transaction() as session:
        return answer(feedback.answers(session, principal(), lookup))
