"""意见建议 from kiosks (standard 5.5): a resident's feedback, exactly once; the answers.

Answer lookups have a per-kiosk budget (``FEEDBACK_LOOKUPS_PER_MINUTE`` numbers, shared by
every node: :mod:`..ratelimit`), so an enrolled kiosk cannot walk the number space.
"""

from __future__ import annotations

from flask import Response, current_app
from flask.sansio.blueprints import BlueprintSetupState

from shared_schema.feedback import FeedbackLookup, FeedbackNote

from .. import feedback
from ..config import whole_number
from ..db import get_db
from ..ratelimit import RateLimiter
from . import bp
from .body import parse_body
from .io import answer, principal

LIMITER = "feedback_lookup_limiter"


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    key = "FEEDBACK_LOOKUPS_PER_MINUTE"
    per_minute = whole_number(key, state.app.config.setdefault(key, 10), 1, 10_000)
    state.app.extensions[LIMITER] = RateLimiter("feedback_lookup", per_minute)


@bp.post("/feedback", endpoint="feedback")
def feedback_note() -> Response:
    """201 new, 200 replay (same feedback number), 403 other station, 404 no matter, 409
    conflict, number of another kiosk or taken."""
    note = parse_body(FeedbackNote, "feedback")
    with get_db().transaction(write=True) as session:
        ack, created = feedback.record_note(session, principal(), note)
    return answer(ack, 201 if created else 200)


@bp.post("/feedback/answers", endpoint="feedback_answers")
def feedback_answers() -> Response:
    """Each number asked costs one of the kiosk's budget (a receipt lookup: one); 429 past it."""
    lookup = parse_body(FeedbackLookup, "feedback lookup")  # a malformed body (422) spends none
    limiter: RateLimiter = current_app.extensions[LIMITER]
    if not limiter.allow(get_db(), principal().kiosk_id, cost=max(1, len(lookup.numbers))):
        raise limiter.refused("feedback_lookup_rate_limited", "feedback numbers", "查询过于频繁，请稍后再试")
    with get_db().transaction() as session:
        return answer(feedback.answers(session, principal(), lookup))
