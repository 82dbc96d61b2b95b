"""What a submission's recorded events say: special stages, the correction, who decided.

The flow card, the ledger and the time limits are all read from the events the actions
wrote (``detail["action"]`` names the workspace action), never typed in again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import ScalarSelect, func, select

from shared_schema import SubmissionState as S

from ..models import Submission, SubmissionEvent
from .limits import SpecialSpan

SPECIAL_LABELS = {"inspection": "勘验", "review": "评审", "rectification": "整改"}
SYSTEM_ACTORS = {"ingest", "engine", None, ""}


def action_of(event: SubmissionEvent) -> str:
    return (event.detail or {}).get("action", "")


def special_spans(events: Sequence[SubmissionEvent]) -> list[SpecialSpan]:
    """Special stages in order; a stage ends at the next event that leaves it."""
    spans: list[SpecialSpan] = []
    for event in events:
        detail = event.detail or {}
        if spans and spans[-1].ended_at is None and event.state != S.special_stage.value:
            spans[-1] = replace(
                spans[-1], ended_at=event.at, end_reason=detail.get("reason", ""), ended_by=event.actor or ""
            )
        if event.state == S.special_stage.value:
            if spans and spans[-1].ended_at is None:
                spans[-1] = replace(spans[-1], ended_at=event.at, ended_by=event.actor or "")
            spans.append(
                SpecialSpan(
                    kind=detail.get("kind", "review"),
                    started_at=event.at,
                    reason=detail.get("reason", ""),
                    started_by=event.actor or "",
                )
            )
    return spans


def first(events: Sequence[SubmissionEvent], action: str) -> SubmissionEvent | None:
    return next((e for e in events if action_of(e) == action), None)


def last(events: Sequence[SubmissionEvent], action: str) -> SubmissionEvent | None:
    return next((e for e in reversed(events) if action_of(e) == action), None)


def last_staff_actor(events: Sequence[SubmissionEvent]) -> str | None:
    """Who last acted on the case in the department (the ledger's 办理人员)."""
    return next((e.actor for e in reversed(events) if e.actor not in SYSTEM_ACTORS and action_of(e)), None)


def materials_received_at(submission: Submission) -> datetime:
    """When the department last received materials: the latest supplement (补正) if any,
    else the transfer. 行政许可法 §32 counts the acceptance clock from the complete
    materials, so a supplement restarts it."""
    supplement = last(list(submission.events), "supplement")
    return received_after(submission, supplement.at if supplement is not None else None)


def received_after(submission: Submission, supplemented_at: datetime | None) -> datetime:
    """:func:`materials_received_at` when the latest supplement's time is already known
    (a list reads it with :func:`last_supplement_at`, one query for the page)."""
    return supplemented_at or submission.transferred_at or submission.received_at


def last_supplement_at() -> ScalarSelect[datetime]:
    """SQL: the time of the row's latest supplement event (NULL without one), correlated
    to ``Submission`` so a listing gets it in its own query instead of loading every
    case's events."""
    return (
        select(func.max(SubmissionEvent.at))
        .where(
            SubmissionEvent.submission_id == Submission.id,
            SubmissionEvent.detail["action"].as_string() == "supplement",
        )
        .correlate(Submission)
        .scalar_subquery()
    )


def correction_open(events: Sequence[SubmissionEvent]) -> bool:
    """A correction was requested and no supplement has answered it yet (一次性告知: one
    notice per round of materials)."""
    asked, answered = last(events, "correct"), last(events, "supplement")
    return asked is not None and (answered is None or answered.id < asked.id)
