"""The cases behind a dashboard figure, as listed and exported: one query, names joined.

Staff see the applicant's name and the masked ID number (``mask_id_number``), as in
the inbox; the export carries the same columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema.identifiers import mask_id_number

from ..models import Department, Matter, Station, Submission
from .roles import state_label


@dataclass(frozen=True)
class CaseRow:
    id: int
    receipt_no: str
    matter_name: str
    applicant_name: str
    masked_id: str
    station_name: str
    department_name: str
    collected_at: datetime
    transfer_due: date
    promised_due: date | None
    state_label: str


FEW = 2000  # a figure this small is read whole by the way it was counted, not by a walk


def _page(session: Session, where: Any, limit: int, total: int | None) -> Any:
    """The clause picking the page's ids. A walk back from the newest case stops after the
    page, but probes every case on the way: for a rare figure (a score of 1 is ~1 rating in
    50) that was ~34,000 probes. A figure of at most ``FEW`` cases (``total``, counted
    already) is read as it was counted instead (e.g. from the ratings of that score), and
    its newest ``limit`` kept."""
    if total is not None and total <= FEW:
        found = session.execute(select(Submission.id, Submission.collected_at).where(where)).all()
        newest = sorted(found, key=lambda row: (row[1], row[0]), reverse=True)[:limit]
        return Submission.id.in_([i for i, _ in newest])
    newest_first = (Submission.collected_at.desc(), Submission.id.desc())
    page = select(Submission.id).where(where).order_by(*newest_first).limit(limit).subquery("page")
    return Submission.id.in_(select(page.c.id))


def case_rows(session: Session, where: Any, limit: int, total: int | None = None) -> list[CaseRow]:
    """Newest collection first, at most ``limit`` (``total``: the figure's count, if known).
    The page's ids are picked first from the columns the dashboard indexes carry
    (``_page``); only those rows are then read whole. In one query PostgreSQL misjudged a
    clock clause as rare and read the whole table to sort it (0.5–1.7 s for 100,000 cases)."""
    newest = (Submission.collected_at.desc(), Submission.id.desc())
    query = (
        select(
            Submission.id,
            Submission.receipt_no,
            Matter.name,
            Submission.matter_code,
            Submission.applicant_name,
            Submission.applicant_id_number,
            Submission.applicant_uscc,
            Station.name,
            Department.name,
            Submission.department_code,
            Submission.collected_at,
            Submission.transfer_due,
            Submission.promised_due,
            Submission.state,
        )
        .where(_page(session, where, limit, total))
        .outerjoin(Matter, Matter.code == Submission.matter_code)
        .outerjoin(Station, Station.code == Submission.station_code)
        .outerjoin(Department, Department.code == Submission.department_code)
        .order_by(*newest)
    )
    return [
        CaseRow(
            id=i,
            receipt_no=receipt,
            matter_name=matter or matter_code,
            applicant_name=name,
            masked_id=mask_id_number(number or uscc or ""),
            station_name=station or "",
            department_name=dept or dept_code or "",
            collected_at=collected,
            transfer_due=transfer_due,
            promised_due=promised_due,
            state_label=state_label(state),
        )
        for (
            i,
            receipt,
            matter,
            matter_code,
            name,
            number,
            uscc,
            station,
            dept,
            dept_code,
            collected,
            transfer_due,
            promised_due,
            state,
        ) in session.execute(query).all()
    ]
