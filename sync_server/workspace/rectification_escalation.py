"""督办 for rectifications: an overdue clock is told to the unit and the city supervisors, once.

Run by ``tongban server rectifications escalate`` (a timer, e.g. every hour) with the
server's clock; on the first working day after a due day it records, per clock (联系 /
整改), who was told and when (``rectification_escalations``, unique per clock, so two
runs never tell twice). Those told see it on their 整改督办 page, and those with a phone
(``create-user --phone``) get an SMS through the configured sender.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, cast, exists, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, selectinload

from ..models import Rectification, RectificationEscalation, RectificationEvent
from ..once import insert_once
from ..rectification import CLOCK_WORDS, OPEN, Clock, due_escalations, overdue_clause
from ..workdays import local_date
from . import sms
from .models import StaffUser
from .roles import Role


def recipients(session: Session, rect: Rectification) -> list[StaffUser]:
    """The unit's staff (reviewers and head, or the station's staff) and the city supervisors."""
    unit = (
        (StaffUser.department_code == rect.unit_department_code)
        & StaffUser.role.in_([Role.reviewer.value, Role.department_head.value])
        if rect.unit_department_code
        else (StaffUser.station_code == rect.unit_station_code) & (StaffUser.role == Role.station_staff.value)
    )
    told = session.scalars(
        select(StaffUser)
        .where(StaffUser.active.is_(True), unit | (StaffUser.role == Role.city_supervisor.value))
        .order_by(StaffUser.username)
    )
    return list(told)


def message(rect: Rectification, clock: str, due: date) -> str:
    """The SMS to those told (no personal data: the rectification's number only)."""
    late = f"{CLOCK_WORDS[Clock(clock)]}（{due.isoformat()}）已过"
    return f"【市域通办督办】整改 #{rect.id} 的{late}，请登录工作台尽快办理。"


def escalate_overdue(session: Session, now: datetime) -> list[RectificationEscalation]:
    """Escalate every overdue clock whose day has come; the new escalations."""
    today = local_date(now)
    overdue = session.scalars(
        select(Rectification)
        .where(overdue_clause(today))
        .options(selectinload(Rectification.escalations))
        .order_by(Rectification.id)
    )
    made = []
    for rect in overdue:
        for clock, due in due_escalations(rect, today):
            row = _escalate(session, rect, clock.value, due, now)
            if row is not None:
                made.append(row)
    session.flush()
    return made


def _escalate(
    session: Session, rect: Rectification, clock: str, due: date, now: datetime
) -> RectificationEscalation | None:
    """One clock told once (a racing run finds the other's row and adds nothing): in the
    workspace (督办提醒) and by SMS to those with a phone, sent after commit."""
    people = recipients(session, rect)
    told = [p.username for p in people]

    def find() -> RectificationEscalation | None:
        return session.scalars(
            select(RectificationEscalation).where(
                RectificationEscalation.rectification_id == rect.id, RectificationEscalation.clock == clock
            )
        ).first()

    def create() -> RectificationEscalation:
        row = RectificationEscalation(
            rectification_id=rect.id, clock=clock, due=due, escalated_at=now, notified=told
        )
        session.add(row)
        return row

    row, created = insert_once(session, find, create)
    if not created:
        return None
    session.add(RectificationEvent(rectification_id=rect.id, action="escalated", at=now, actor="system",
                                   detail={"clock": clock, "notified": told}))  # fmt: skip
    for person in people:
        if person.phone:
            sms.queue(session, person.phone, message(rect, clock, due), rect.submission_id, None)
    return row


def told_to(
    session: Session, username: str, limit: int = 50
) -> list[tuple[RectificationEscalation, Rectification]]:
    """The escalations that named this user on rectifications still open, newest first
    (their 督办 reminders), found in SQL on both databases."""
    rows = session.execute(
        select(RectificationEscalation, Rectification)
        .join(Rectification, Rectification.id == RectificationEscalation.rectification_id)
        .where(Rectification.state.in_(OPEN), _names(session, username))
        .order_by(RectificationEscalation.escalated_at.desc(), RectificationEscalation.id.desc())
        .limit(limit)
    ).all()
    return [(e, r) for e, r in rows]


def _names(session: Session, username: str) -> ColumnElement[bool]:
    """``notified`` (a JSON list of usernames) contains ``username``."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(RectificationEscalation.notified, JSONB).has_key(username)
    return exists(
        select(literal_column("1"))
        .select_from(func.json_each(RectificationEscalation.notified).table_valued("value"))
        .where(literal_column("value") == username)
    )
