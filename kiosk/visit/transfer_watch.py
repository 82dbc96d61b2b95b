"""The kiosk's own warning before its transfer promise breaks (附录 A: materials reach the
department within 2 working days).

A link that stays down keeps submissions and supplements here; the header and the assist
panel say so a working day before the deadline of the oldest one, and loudly once it is
past, counting on the catalog's working-day calendar (its holiday tables, then
chinese-calendar). The clock is injected: tests set the day, nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from shared_schema.transfer import TransferAlarm, TransferDeadline, transfer_deadline
from shared_schema.workcalendar import WorkCalendar

from ..i18n import _
from .ports import QueueCounts


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TransferWatch:
    def __init__(self, calendar: WorkCalendar | None = None, clock: Callable[[], datetime] = _utcnow) -> None:
        self.calendar = calendar or WorkCalendar()
        self.clock = clock

    def deadline(self, counts: QueueCounts) -> TransferDeadline | None:
        """Where the oldest unsent submission or supplement stands (None: nothing waits)."""
        if counts.oldest_waiting_at is None:
            return None
        return transfer_deadline(self.calendar, counts.oldest_waiting_at, self.clock())

    def header_line(self, counts: QueueCounts) -> str:
        """A short line under the header's count ('' while the promise is safe)."""
        found = self.deadline(counts)
        if found is None or found.alarm is None:
            return ""
        if found.alarm is TransferAlarm.overdue:
            return _("⚠ transfer overdue")
        return _("⚠ transfer by {date}").format(date=found.due.strftime("%m-%d"))

    def assist_line(self, counts: QueueCounts) -> str:
        """What the assist panel tells staff, and what to do ('' while the promise is safe)."""
        found = self.deadline(counts)
        if found is None or found.alarm is None:
            return ""
        due = found.due.isoformat()
        if found.alarm is TransferAlarm.overdue:
            return _(
                "The oldest item waiting here was due at the department on {due}: the two-working-day "
                "transfer promise is broken. Sync now or export a bundle, and tell the department."
            ).format(due=due)
        return _(
            "The oldest item waiting here must reach the department by {due} ({n} working day(s) "
            "left). Check the network and sync now, or export a bundle."
        ).format(due=due, n=found.days_left)
