"""The transfer promise (附录 A, standard 8.3): the collecting station passes the materials
to the department within 2 working days. One judgement of "how near is the deadline" for
the kiosk (its header and assist screen, about its own oldest unsent item) and the
server (the workspace's kiosk list, from heartbeats), on the same working-day calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from .workcalendar import WorkCalendar, local_date

TRANSFER_DUE_SOON = 1
"""Working days left at which the oldest unsent item is flagged: a link that stays down
breaks the promise by the next working day's end."""


class TransferAlarm(StrEnum):
    due_soon = "due_soon"  # at most TRANSFER_DUE_SOON working days left (the due day included)
    overdue = "overdue"  # past the due day: the promise is broken


@dataclass(frozen=True)
class TransferDeadline:
    due: date  # the day the oldest unsent item must reach the department
    days_left: int  # working days left (0 on the due day, negative when overdue)
    alarm: TransferAlarm | None


def transfer_deadline(calendar: WorkCalendar, oldest_waiting_at: datetime, now: datetime) -> TransferDeadline:
    """Where the oldest unsent item stands against its transfer deadline at ``now``."""
    due = calendar.transfer_deadline(oldest_waiting_at)
    today = local_date(now)
    left = calendar.working_days_left(due, today)
    if today > due:
        alarm: TransferAlarm | None = TransferAlarm.overdue
    else:
        alarm = TransferAlarm.due_soon if left <= TRANSFER_DUE_SOON else None
    return TransferDeadline(due, left, alarm)
