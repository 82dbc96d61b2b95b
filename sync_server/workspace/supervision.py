"""督办: the clocks a case runs against, who owns each, and when its owner must hear of it.

Four clocks, each counted in working days by the one calendar (``sync_server.workdays``):

=========  =========================================  ==================  ==================
clock      runs                                       due                 owner
=========  =========================================  ==================  ==================
transfer   collection → routed to a department        ``transfer_due``    the collecting
           (附录 A: 2 working days)                                       station's staff
notice     the department received the materials →    5 working days      the department's
           its first answer (accept / 补正 / reject)   (``limits``)        reviewers
promised   acceptance → 办结 (承诺时限)                ``promised_due``    whoever accepted
delivery   办结 → 送达                                 ``DELIVERY_DAYS``   whoever completed
=========  =========================================  ==================  ==================

Levels: ``warn`` while at most ``WARN_DAYS`` working days remain (the owner); ``head`` on
the first working day after the due day (部门负责人 of the case's department); ``city``
``CITY_AFTER_DAYS`` working days later (市级督办). Nothing is sent on a day off: nobody
is at work to act on it, and the first working day after catches up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shared_schema import SubmissionState as S

from ..models import Submission
from ..workdays import add_working_days, count_working_days, is_working_day, local_date
from . import history, limits

WARN_DAYS = 1
CITY_AFTER_DAYS = 2
DELIVERY_DAYS = 5
"""送达: the standard names no number; a result reaches the applicant within 5 working
days of 办结 (mail posted or pickup handed over), the city may change it."""

CLOCK_LABELS = {
    "transfer": "转报（2个工作日）",
    "notice": "受理/补正告知（5个工作日）",
    "promised": "承诺办理时限",
    "delivery": f"送达（{DELIVERY_DAYS}个工作日）",
}
LEVEL_LABELS = {"warn": "到期提醒", "head": "超期报部门负责人", "city": "超期报市级督办"}


@dataclass(frozen=True)
class RunningClock:
    """One clock of one case that has not stopped yet."""

    submission_id: int
    receipt_no: str
    clock: str
    due: date
    department_code: str | None
    station_code: str | None
    owner: str | None  # the staff member's username, when one person owns it


def running_clocks(session: Session, today: date) -> Iterator[RunningClock]:
    """Every clock still running whose due day is close enough to matter today."""
    horizon = add_working_days(today, WARN_DAYS)
    transfer = select(Submission).where(
        Submission.transferred_at.is_(None),
        Submission.state.in_([S.acknowledged.value, S.routed.value]),
        Submission.transfer_due <= horizon,
    )
    for sub in session.scalars(transfer):
        yield _clock(sub, "transfer", sub.transfer_due, None)
    promised = select(Submission).where(
        Submission.state == S.accepted.value, Submission.promised_due <= horizon
    )
    for sub in session.scalars(promised.options(selectinload(Submission.events))):
        yield _clock(sub, "promised", sub.promised_due, _actor(sub, "accept"))
    notice = select(Submission).where(
        Submission.state == S.routed.value, Submission.transferred_at.is_not(None)
    )
    for sub in session.scalars(notice.options(selectinload(Submission.events))):
        due = limits.notice_deadline(history.materials_received_at(sub))
        if due <= horizon:
            yield _clock(sub, "notice", due, None)
    delivery = select(Submission).where(Submission.state == S.completed.value)
    for sub in session.scalars(delivery.options(selectinload(Submission.events))):
        if sub.completed_at is None:
            continue
        due = add_working_days(local_date(sub.completed_at), DELIVERY_DAYS)
        if due <= horizon:
            yield _clock(sub, "delivery", due, _actor(sub, "complete"))


def _clock(sub: Submission, clock: str, due: date | None, owner: str | None) -> RunningClock:
    assert due is not None
    return RunningClock(sub.id, sub.receipt_no, clock, due, sub.department_code, sub.station_code, owner)


def _actor(sub: Submission, action: str) -> str | None:
    event = history.last(list(sub.events), action)
    return event.actor if event is not None and event.actor not in history.SYSTEM_ACTORS else None


def levels_due(due: date, today: date) -> list[str]:
    """The levels a clock with this due day has reached on ``today`` (a working day)."""
    if today <= due:
        return ["warn"] if count_working_days(today, due) <= WARN_DAYS else []
    late = count_working_days(due, today)  # ≥ 1: today is a working day after the due day
    return ["head", "city"] if late >= 1 + CITY_AFTER_DAYS else ["head"]


def working_today(moment: datetime) -> date | None:
    """China's date at ``moment`` when it is a working day, else None (a day off)."""
    today = local_date(moment)
    return today if is_working_day(today) else None


def message(clock: RunningClock, level: str) -> str:
    """The text each recipient gets: receipt number and clock only, no personal data."""
    what = CLOCK_LABELS[clock.clock]
    if level == "warn":
        return f"【市域通办督办】受理编号{clock.receipt_no}的{what}将于{clock.due:%Y-%m-%d}到期，请及时办理。"
    told = "已报部门负责人" if level == "head" else "已报市级督办"
    return f"【市域通办督办】受理编号{clock.receipt_no}的{what}已于{clock.due:%Y-%m-%d}到期仍未完成，{told}。"


def clocks_by_level(session: Session, today: date) -> Iterable[tuple[RunningClock, str]]:
    for clock in running_clocks(session, today):
        for level in levels_due(clock.due, today):
            yield clock, level
