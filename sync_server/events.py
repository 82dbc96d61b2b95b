"""State changes of a submission and the per-kiosk status feed they produce.

:func:`record_event` is the one way to change a stored submission's state: the routing
engine and the department workspace call it. It stamps the stage time (accepted_at,
completed_at …), appends to the submission's history and puts the event in the status
feed of the kiosk that collected it — and, for "result ready for pickup", of every active
kiosk at the pickup station. Ingest builds a *new* submission's first events with the
first half, :func:`add_event`, and writes them with Core: :func:`publish_ids` (or, on
PostgreSQL, the same rows inside ``ingest_pg``'s one statement).

Each kiosk's feed cursor (``seq``) is taken from a counter on the kiosk row with
``UPDATE … RETURNING`` (one bump for all the events of one change); the row lock it
takes is held to commit, so a kiosk's events commit in ``seq`` order and a cursor never
skips an event committed late.
Messages are Chinese for residents; ``detail`` must not hold personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from shared_schema import SubmissionState as S

from . import notice_clock
from .db import utcnow
from .errors import ApiError
from .models import FeedEntry, Kiosk, Submission, SubmissionEvent

# What may follow what. Repeats are allowed where the standard repeats a step
# (reassignment, a second special stage, a pickup notice after completion).
TRANSITIONS: dict[S, frozenset[S]] = {
    S.acknowledged: frozenset({S.routed}),
    S.routed: frozenset({S.routed, S.accepted, S.correction_requested, S.rejected}),
    S.correction_requested: frozenset({S.routed, S.accepted, S.rejected, S.correction_requested}),
    S.accepted: frozenset({S.special_stage, S.completed, S.rejected}),
    S.special_stage: frozenset({S.special_stage, S.accepted, S.completed, S.rejected}),
    S.completed: frozenset({S.completed, S.delivered, S.archived}),
    S.delivered: frozenset({S.archived}),
    S.rejected: frozenset({S.archived}),
    S.archived: frozenset(),
}

DEFAULT_MESSAGES_ZH: dict[S, str] = {
    S.acknowledged: "申请材料已送达服务器",
    S.routed: "申请已转至办理部门",
    S.accepted: "申请已受理",
    S.correction_requested: "需要补正材料，请查看补正告知",
    S.rejected: "申请未予受理",
    S.special_stage: "申请进入特殊环节（不计入承诺时限）",
    S.completed: "申请已办结",
    S.delivered: "办理结果已送达",
    S.archived: "已归档",
}

# The stage timestamp a state sets the first time it is reached.
STAGE_COLUMNS: dict[S, str] = {
    S.accepted: "accepted_at",
    S.completed: "completed_at",
    S.delivered: "delivered_at",
    S.archived: "archived_at",
}


def can_move(current: S | str, target: S | str) -> bool:
    return S(target) in TRANSITIONS.get(S(current), frozenset())


def record_event(
    session: Session,
    submission: Submission,
    state: S | str,
    message_zh: str | None = None,
    detail: dict[str, Any] | None = None,
    *,
    actor: str | None = None,
    at: datetime | None = None,
    pickup_station: str | None = None,
    initial: bool = False,
) -> SubmissionEvent:
    """Move ``submission`` to ``state`` and tell the kiosks concerned. The caller commits.

    Raises ApiError 409 ``invalid_transition`` when the state may not follow the current
    one (``initial=True`` skips the check for a submission's first event).
    ``pickup_station`` marks a "result ready for pickup" event: every active kiosk at
    that station gets it in its feed.
    """
    target = S(state)
    if not initial and not can_move(submission.state, target):
        raise ApiError(
            409,
            "invalid_transition",
            f"a submission in state {submission.state} cannot move to {target.value}",
            "当前办理状态下不能进行此操作",
            {"from": str(submission.state), "to": target.value},
        )
    event = add_event(
        submission, target, message_zh, detail, actor=actor, at=at, pickup_station=pickup_station
    )
    publish(session, [event], _audience(session, submission, pickup_station))
    session.flush()
    return event


def add_event(
    submission: Submission,
    state: S | str,
    message_zh: str | None = None,
    detail: dict[str, Any] | None = None,
    *,
    actor: str | None = None,
    at: datetime | None = None,
    pickup_station: str | None = None,
) -> SubmissionEvent:
    """Move ``submission`` to ``state`` in memory, with its history entry (no I/O, no check).

    The ingest path builds a new submission's first events this way before its single
    insert; everything else goes through :func:`record_event`.
    """
    target = S(state)
    moment = at or utcnow()
    submission.state = target.value
    column = STAGE_COLUMNS.get(target)
    if column and getattr(submission, column) is None:
        setattr(submission, column, moment)
    body = dict(detail or {})
    notice_clock.stamp(submission, target, str(body.get("action", "")), moment)
    if pickup_station:
        body["pickup_station"] = pickup_station
    event = SubmissionEvent(
        state=target.value,
        at=moment,
        message_zh=message_zh or DEFAULT_MESSAGES_ZH[target],
        detail=body,
        actor=actor,
    )
    submission.events.append(event)
    return event


def publish(session: Session, events: list[SubmissionEvent], kiosk_ids: list[str]) -> None:
    """Put ``events`` (in order) in each kiosk's feed: one counter bump per kiosk for all.

    The feed rows are written with everything else at the caller's next flush (one unit
    of work instead of two).
    """
    with session.no_autoflush:
        for kiosk_id in kiosk_ids:
            first = _reserve(session.connection(), kiosk_id, len(events))
            for offset, event in enumerate(events):
                session.add(FeedEntry(kiosk_id=kiosk_id, seq=first + offset, event=event))


def publish_ids(connection: Connection, event_ids: list[int], kiosk_ids: list[str]) -> None:
    """:func:`publish` for events already inserted (ingest writes with Core, by id)."""
    for kiosk_id in kiosk_ids:
        first = _reserve(connection, kiosk_id, len(event_ids))
        rows = [{"kiosk_id": kiosk_id, "seq": first + i, "event_id": e} for i, e in enumerate(event_ids)]
        connection.execute(_INSERT_FEED, rows)


def kiosks_told(submission: Submission) -> list[str]:
    """The feed audience of an ordinary event: the collecting kiosk."""
    return [submission.kiosk_id] if submission.kiosk_id else []


def _audience(session: Session, submission: Submission, pickup_station: str | None) -> list[str]:
    """Kiosks to tell, sorted so concurrent transactions lock kiosk rows in one order."""
    kiosks = set(kiosks_told(submission))
    if pickup_station:
        kiosks.update(
            session.scalars(
                select(Kiosk.kiosk_id).where(Kiosk.station_code == pickup_station, Kiosk.revoked_at.is_(None))
            )
        )
    return sorted(kiosks)


_KIOSKS: Table = Kiosk.__table__  # type: ignore[assignment]
_BUMP = (
    update(_KIOSKS)
    .where(_KIOSKS.c.kiosk_id == bindparam("kiosk"))
    .values(feed_seq=_KIOSKS.c.feed_seq + bindparam("count"))
    .returning(_KIOSKS.c.feed_seq)
)
_INSERT_FEED = insert(FeedEntry.__table__)


def _reserve(connection: Connection, kiosk_id: str, count: int) -> int:
    """Reserve ``count`` feed positions (Core, on the caller's transaction); the first one."""
    last = connection.execute(_BUMP, {"kiosk": kiosk_id, "count": count}).scalar_one()
    return last - count + 1
