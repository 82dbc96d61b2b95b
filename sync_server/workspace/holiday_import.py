"""Importing a year's holiday table: store it, then recount the deadlines it moves.

Used by ``tongban server holidays import`` and the 节假日安排 page, in the caller's
transaction (the caller commits, writes the audit entry, then reloads the calendar).
Only undecided cases are recounted, and only those with a deadline on or after 1 January
of the table's year (a table cannot move an earlier day): the transfer deadline while
the case is not yet transferred, and the promised and legal deadlines of accepted cases.
Special stages count as they did when the deadline was last set: closed stages are
skipped; an open one is added when it ends (``actions.end_special``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from shared_schema import SubmissionState as S
from shared_schema.holidays import HolidayTable
from shared_schema.workcalendar import WorkCalendar

from ..holidays import calendar_of, store_table
from ..models import Matter, Submission
from ..workdays import local_date
from .history import special_spans
from .limits import excluded_intervals

log = logging.getLogger(__name__)

# Cases whose limits still run: the transfer (before routing) or the department's.
UNDECIDED = (S.acknowledged, S.routed, S.correction_requested, S.accepted, S.special_stage)


@dataclass
class ImportReport:
    year: int
    replaced: bool
    example: bool
    catalog_etag: str | None
    changed: list[dict[str, Any]] = field(default_factory=list)  # receipt_no, field, old, new
    skipped: list[str] = field(default_factory=list)  # receipt numbers whose matter is gone

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year, "replaced": self.replaced, "example": self.example,
            "catalog_etag": self.catalog_etag, "changed": self.changed, "skipped": self.skipped,
        }  # fmt: skip

    def audit_detail(self) -> dict[str, Any]:
        """What the audit log keeps: the year and which cases moved (no personal data)."""
        return {k: v for k, v in self.to_dict().items() if k != "catalog_etag"}


def import_table(session: Session, table: HolidayTable, actor: str) -> ImportReport:
    """Store ``table``, republish the catalog, recount open deadlines. The caller commits."""
    replaced, release = store_table(session, table, actor)
    report = ImportReport(table.year, replaced, table.example, release.etag if release else None)
    recompute_deadlines(session, calendar_of(session), table.year, report)
    log.info(
        "holiday table %s imported by %s (%s): %d deadline(s) moved",
        table.year, actor, table.notice, len(report.changed),
    )  # fmt: skip
    return report


def recompute_deadlines(session: Session, calendar: WorkCalendar, year: int, report: ImportReport) -> None:
    """Count again every stored deadline of an undecided case that may pass through ``year``."""
    first = date(year, 1, 1)
    due_columns = (Submission.transfer_due, Submission.promised_due, Submission.legal_due)
    query = select(Submission).where(
        Submission.state.in_([s.value for s in UNDECIDED]), or_(*(column >= first for column in due_columns))
    )
    for sub in session.scalars(query.order_by(Submission.id)):
        new: dict[str, date] = {}
        if sub.transferred_at is None:
            new["transfer_due"] = calendar.transfer_deadline(sub.collected_at)
        if sub.accepted_at is not None and sub.promised_due is not None:
            matter = session.get(Matter, sub.matter_code)
            if matter is None:
                report.skipped.append(sub.receipt_no)
                continue
            spans = [s for s in special_spans(list(sub.events)) if s.ended_at is not None]
            start = local_date(sub.accepted_at)
            excluded = excluded_intervals(spans, start)
            new["promised_due"] = calendar.add_working_days(start, matter.promised_days, excluded)
            new["legal_due"] = calendar.add_working_days(start, matter.legal_days, excluded)
        for name, value in new.items():
            old = getattr(sub, name)
            if old != value:
                setattr(sub, name, value)
                was = old.isoformat() if old else None
                report.changed.append(
                    {"receipt_no": sub.receipt_no, "field": name, "old": was, "new": value.isoformat()}
                )
