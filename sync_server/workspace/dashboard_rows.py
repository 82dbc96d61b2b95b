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


def case_rows(session: Session, where: Any, limit: int) -> list[CaseRow]:
    """Newest collection first, at most ``limit``. The page's ids are picked first from the
    columns the dashboard indexes carry (a walk back from the newest case that stops after
    the page); only those rows are then read whole. In one query PostgreSQL misjudged a
    clock clause as rare and read the whole table to sort it (0.5–1.7 s for 100,000 cases)."""
    newest = (Submission.collected_at.desc(), Submission.id.desc())
    page = select(Submission.id).where(where).order_by(*newest).limit(limit).subquery("page")
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
        .join(page, page.c.id == Submission.id)
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
