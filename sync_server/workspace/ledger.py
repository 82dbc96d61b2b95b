"""事项办理台账 (附录 C): one row per case, exactly the standard's columns, on screen and exported.

Rows are built from the submissions in the user's scope plus, in one extra query per
page, the staff who acted on them (办理人员) — never one query per row. Exports are CSV
(UTF-8 with BOM, so Excel opens the Chinese correctly) and XLSX (openpyxl).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema import CaseType, LedgerEntry
from shared_schema.forms import LEDGER_COLUMNS

from ..models import Department, Matter, Station, Submission, SubmissionEvent
from ..workdays import CHINA_TZ
from . import history
from .handovers import ledger_note
from .models import StaffUser
from .paperwork import full_names
from .query import day_range, equal
from .roles import state_label
from .scope import visible

CASE_TYPE_WORDS = {CaseType.instant: "即办件", CaseType.promised: "承诺件"}
EXPORT_CAP = 50_000
CHUNK = 1000


@dataclass(frozen=True)
class LedgerFilter:
    department_code: str | None = None
    matter_code: str | None = None
    state: str | None = None
    day_from: date | None = None
    day_to: date | None = None


def _query(user: StaffUser, f: LedgerFilter):  # type: ignore[no-untyped-def]
    query = (
        select(Submission, Matter.name, Matter.case_type, Department.name, Station.name, Station.window_name)
        .outerjoin(Matter, Matter.code == Submission.matter_code)
        .outerjoin(Department, Department.code == Submission.department_code)
        .outerjoin(Station, Station.code == Submission.station_code)
        .where(visible(user))
    )
    pairs = [(Submission.department_code, f.department_code), (Submission.matter_code, f.matter_code),
             (Submission.state, f.state)]  # fmt: skip
    query = query.where(*equal(pairs), *day_range(Submission.collected_at, f.day_from, f.day_to))
    return query.order_by(Submission.collected_at.desc(), Submission.id.desc())


def _note(events: list[SubmissionEvent]) -> str:
    notes = []
    for event in events:
        detail, action = event.detail or {}, history.action_of(event)
        if action == "correct":
            notes.append("已一次性告知补正")
        elif action == "reject":
            notes.append(f"{detail.get('kind', '')}：{detail.get('reason', '')}")
        elif action == "special_start":
            notes.append(f"{history.SPECIAL_LABELS.get(detail.get('kind', ''), '')}（不计时）")
        elif action == "complete" and detail.get("tracking_no"):
            notes.append(f"邮寄 {detail['tracking_no']}")
        elif action == "deliver":
            notes.append(ledger_note(event.at))
    return "；".join(notes)


def entries(
    session: Session, user: StaffUser, f: LedgerFilter, limit: int, offset: int = 0
) -> list[LedgerEntry]:
    rows = session.execute(_query(user, f).limit(limit).offset(offset)).all()
    events: dict[int, list[SubmissionEvent]] = {}
    for start in range(0, len(rows), CHUNK):
        ids = [r[0].id for r in rows[start : start + CHUNK]]
        for event in session.scalars(
            select(SubmissionEvent).where(SubmissionEvent.submission_id.in_(ids)).order_by(SubmissionEvent.id)
        ):
            events.setdefault(event.submission_id, []).append(event)
    actors = {history.last_staff_actor(evs) for evs in events.values()}
    names = full_names(session, actors)
    result = []
    for sub, matter, case_type, dept, station, window in rows:
        evs = events.get(sub.id, [])
        actor = history.last_staff_actor(evs)
        result.append(
            LedgerEntry(
                handled_at=sub.accepted_at or sub.transferred_at or sub.received_at,
                section=dept or "",
                matter_name=matter or sub.matter_code,
                quantity=1,
                case_type=CaseType(case_type or "promised"),
                applicant=sub.applicant_name,
                phone=sub.applicant_phone,
                window=f"{station or ''}{window or ''}",
                staff=names.get(actor or "", actor or ""),
                state=state_label(sub.state),
                note=_note(evs),
            )
        )
    return result


def cells(entry: LedgerEntry) -> list[str | int]:
    """One row in LEDGER_COLUMNS order, as printed (China time, Chinese words)."""
    values: dict[str, str | int] = {
        "handled_at": entry.handled_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
        "case_type": CASE_TYPE_WORDS[entry.case_type],
        "quantity": entry.quantity,
    }
    return [values.get(key, getattr(entry, key)) for key, _ in LEDGER_COLUMNS]


def headers() -> list[str]:
    return [label for _, label in LEDGER_COLUMNS]


def to_csv(entries_: list[LedgerEntry]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    writer.writerows(cells(e) for e in entries_)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(entries_: list[LedgerEntry]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "事项办理台账"
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in entries_:
        sheet.append(cells(entry))
    for column, width in zip("ABCDEFGHIJK", (18, 20, 28, 6, 12, 10, 14, 30, 10, 12, 36), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def iter_pages(session: Session, user: StaffUser, f: LedgerFilter) -> Iterator[LedgerEntry]:
    for offset in range(0, EXPORT_CAP, CHUNK):
        chunk = entries(session, user, f, CHUNK, offset)
        yield from chunk
        if len(chunk) < CHUNK:
            return
