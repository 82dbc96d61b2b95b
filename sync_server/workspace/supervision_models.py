"""The escalation log (督办记录): every warning and escalation a case's clock caused.

One row per person told, per channel, per level, per clock and due day of a case. The
unique key is what makes ``tongban server supervise`` idempotent: a second run on the
same day finds the step already there and tells nobody twice. A moved deadline (a
special stage, a holiday import) is a new due day, so its warning is a new step. A level
nobody holds (no department head account) is recorded too, with channel ``none``, so the
gap shows instead of passing in silence.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UtcDateTime, utcnow
from ..models import Submission, SubmissionEvent


class EscalationStep(Base):
    __tablename__ = "escalation_steps"
    __table_args__ = (
        # named by hand: the naming convention's name (67 characters) is over PostgreSQL's 63
        UniqueConstraint(
            "submission_id", "clock", "due", "level", "recipient", "channel", name="uq_escalation_steps_step"
        ),
        Index("ix_escalation_steps_recipient_at", "recipient", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    clock: Mapped[str] = mapped_column(String(12), doc="transfer | notice | promised | delivery")
    due: Mapped[date] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(8), doc="warn (owner) | head (部门负责人) | city (市级督办)")
    recipient: Mapped[str] = mapped_column(String(40), doc="the staff username; '' when nobody holds it")
    recipient_role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(10), doc="workspace | sms | none")
    sms_message_id: Mapped[int | None] = mapped_column(ForeignKey("sms_outbox.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


# The dashboard's scans (dashboard.py), answered from indexes instead of the wide
# submissions rows (their manifest JSON): on PostgreSQL the case columns every figure
# reads are INCLUDEd, so a whole-city count is an index-only scan; a department's is a
# range of it. The partial events index holds the answers only (accept, 补正, 不予受理),
# in case order: each case's first answer (the notice clock) without sorting the events.
DASHBOARD_COLUMNS = [
    "id", "matter_code", "station_code", "source", "state", "receipt_no", "transfer_due", "transferred_at",
    "accepted_at", "promised_due", "completed_at", "delivered_at", "notice_from", "notice_answered_at",
]  # fmt: skip
ANSWERS = SubmissionEvent.state.in_(["accepted", "correction_requested", "rejected"])
Index(
    "ix_submissions_dashboard",
    Submission.department_code,
    Submission.collected_at,
    postgresql_include=DASHBOARD_COLUMNS,
)
Index(  # the city's drill-down walks the newest cases of every department (issue 14)
    "ix_submissions_collected",
    Submission.collected_at,
    Submission.id,
    postgresql_include=["department_code", *DASHBOARD_COLUMNS[1:]],
)
Index(
    "ix_submission_events_answers",
    SubmissionEvent.submission_id,
    SubmissionEvent.at,
    postgresql_where=ANSWERS,
    sqlite_where=ANSWERS,
)
