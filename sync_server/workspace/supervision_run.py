"""One supervision pass: tell each clock's owner, head or city supervisor, once, and log it.

Run by ``tongban server supervise`` (a systemd timer or cron, e.g. every hour on working
days) and by the demo. The server has no scheduler of its own: gunicorn workers come and
go, and a job that must run once per step belongs to one timer, not to every worker.

A pass is one transaction: the steps (``escalation_steps``) and their SMS
(``sms_outbox``) commit together; the SMS go out after commit through the configured
sender. Running it again the same day finds every step recorded and tells nobody twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import sms
from .models import StaffUser
from .roles import Role
from .supervision import RunningClock, clocks_by_level, message, working_today
from .supervision_models import EscalationStep


@dataclass
class PassReport:
    """What one pass did: steps recorded by level and channel; a day off does nothing."""

    day_off: bool = False
    recorded: Counter[str] = field(default_factory=Counter)
    unassigned: int = 0  # levels nobody holds (e.g. no department head account)

    def as_dict(self) -> dict[str, object]:
        return {"day_off": self.day_off, "recorded": dict(self.recorded), "unassigned": self.unassigned}


def supervise(session: Session, now: datetime) -> PassReport:
    """Record (and queue the SMS of) every step due at ``now`` that is not recorded yet."""
    report = PassReport()
    today = working_today(now)
    if today is None:
        report.day_off = True
        return report
    staff = list(session.scalars(select(StaffUser).where(StaffUser.active.is_(True))))
    for clock, level in clocks_by_level(session, today):
        done = set(
            session.execute(
                select(EscalationStep.recipient, EscalationStep.channel).where(
                    EscalationStep.submission_id == clock.submission_id,
                    EscalationStep.clock == clock.clock,
                    EscalationStep.due == clock.due,
                    EscalationStep.level == level,
                )
            ).all()
        )
        text = message(clock, level)
        people = recipients(staff, clock, level)
        if not people and ("", "none") not in done:
            session.add(_step(clock, level, None, "none", text, now))
            report.unassigned += 1
        for person in people:
            if (person.username, "workspace") not in done:
                session.add(_step(clock, level, person, "workspace", text, now))
                report.recorded[f"{level}/workspace"] += 1
            if person.phone and (person.username, "sms") not in done:
                queued = sms.queue(session, person.phone, text, clock.submission_id, None)
                session.flush()
                step = _step(clock, level, person, "sms", text, now)
                step.sms_message_id = queued.id
                session.add(step)
                report.recorded[f"{level}/sms"] += 1
    session.flush()
    return report


def recipients(staff: list[StaffUser], clock: RunningClock, level: str) -> list[StaffUser]:
    """Who is told at ``level``: the owner, the department's head(s), the city supervisor(s)."""
    if level == "city":
        return [u for u in staff if u.role == Role.city_supervisor]
    if level == "head":
        return [
            u for u in staff if u.role == Role.department_head and u.department_code == clock.department_code
        ]
    if clock.owner:
        named = [u for u in staff if u.username == clock.owner]
        if named:
            return named
    if clock.clock == "transfer":
        return [u for u in staff if u.role == Role.station_staff and u.station_code == clock.station_code]
    return [u for u in staff if u.role == Role.reviewer and u.department_code == clock.department_code]


def _step(
    clock: RunningClock, level: str, person: StaffUser | None, channel: str, text: str, now: datetime
) -> EscalationStep:
    return EscalationStep(
        submission_id=clock.submission_id, clock=clock.clock, due=clock.due, level=level,
        recipient=person.username if person else "", recipient_role=person.role if person else "",
        user_id=person.id if person else None, channel=channel, text=text, at=now,
    )  # fmt: skip
