"""Originals mailed with the transfer slip (原件随转办单寄送), e.g. the 户口簿.

The catalog marks such a material ``original_by_mail: true``; a case expects the
originals of every marked material it was submitted with. The department confirms each
arrival with its date (an ``original_arrivals`` row and an audit entry); until then the
case shows under the inbox filter 原件未到. The station's tracking number, entered at the
kiosk and synced (``sync_server.original_mailing``), shows beside each original.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement

from ..db import utcnow
from ..models import Submission
from ..original_mailing import expected_originals, mailing_of
from ..workdays import local_date
from .actions import require_decider
from .errors import WorkspaceError
from .models import OriginalArrival, StaffUser


@dataclass(frozen=True)
class ExpectedOriginal:
    code: str
    name: str
    arrived_on: date | None = None
    confirmed_by: str = ""
    tracking_no: str = ""  # the station's mail tracking number, once its kiosk synced it
    mailed_on: date | None = None


def expected(session: Session, submission: Submission) -> list[ExpectedOriginal]:
    """The originals this case waits for, each with its mailing and arrival once known."""
    query = select(OriginalArrival).where(OriginalArrival.submission_id == submission.id)
    arrivals = {a.material_code: a for a in session.scalars(query)}
    mailing = mailing_of(session, submission.id)
    mailed = {
        "tracking_no": mailing.tracking_no if mailing else "",
        "mailed_on": local_date(mailing.mailed_at) if mailing else None,
    }
    out = []
    for code, name in expected_originals(session, submission).items():
        arrival = arrivals.get(code)
        out.append(
            ExpectedOriginal(code, name, arrival.arrived_on if arrival else None,
                             arrival.confirmed_by if arrival else "", **mailed)
        )  # fmt: skip
    return out


def confirm(
    session: Session, submission: Submission, user: StaffUser, code: str, arrived: str,
    now: datetime | None = None,
) -> OriginalArrival:  # fmt: skip
    """Record that the original ``code`` arrived on ``arrived`` (YYYY-MM-DD)."""
    now = now or utcnow()
    require_decider(user, submission)
    waiting = {e.code: e for e in expected(session, submission)}
    if code not in waiting:
        raise WorkspaceError("no such expected original", "本件没有需要寄送的该项原件")
    if waiting[code].arrived_on is not None:
        raise WorkspaceError("original already confirmed", "该原件已确认寄达", status=409)
    try:
        day = date.fromisoformat(arrived)
    except ValueError:
        raise WorkspaceError("bad arrival date", "请填写原件寄达日期") from None
    if day > local_date(now) or day < local_date(submission.collected_at):
        raise WorkspaceError("arrival date out of range", "寄达日期须在收件日与今天之间")
    row = OriginalArrival(submission_id=submission.id, material_code=code, arrived_on=day,
                          confirmed_by=user.username, confirmed_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    return row


class OriginalsPending(ColumnElement[bool]):
    """SQL: the submission expects a mailed original that has not been confirmed.

    Walks the manifest's materials and the matter's guide in the database (json_each on
    SQLite, jsonb_array_elements on PostgreSQL) so the inbox keeps its keyset paging.
    """

    inherit_cache = True
    type = Boolean()


_SQLITE = """EXISTS (SELECT 1 FROM matters AS om,
 json_each(om.body, '$.guide.materials') AS g, json_each(submissions.manifest, '$.materials') AS m
 WHERE om.code = submissions.matter_code AND json_extract(g.value, '$.original_by_mail') = 1
 AND json_extract(m.value, '$.requirement_code') = json_extract(g.value, '$.code')
 AND NOT EXISTS (SELECT 1 FROM original_arrivals AS oa WHERE oa.submission_id = submissions.id
 AND oa.material_code = json_extract(g.value, '$.code')))"""
_POSTGRES = """EXISTS (SELECT 1 FROM matters AS om,
 jsonb_array_elements(om.body -> 'guide' -> 'materials') AS g(value),
 jsonb_array_elements(submissions.manifest -> 'materials') AS m(value)
 WHERE om.code = submissions.matter_code AND (g.value ->> 'original_by_mail') = 'true'
 AND (m.value ->> 'requirement_code') = (g.value ->> 'code')
 AND NOT EXISTS (SELECT 1 FROM original_arrivals AS oa WHERE oa.submission_id = submissions.id
 AND oa.material_code = (g.value ->> 'code')))"""


@compiles(OriginalsPending, "sqlite")
def _sqlite(element: OriginalsPending, compiler: SQLCompiler, **kw: Any) -> str:
    return _SQLITE


@compiles(OriginalsPending, "postgresql")
def _postgres(element: OriginalsPending, compiler: SQLCompiler, **kw: Any) -> str:
    return _POSTGRES


def pending() -> ColumnElement[bool]:
    """Cases still waiting for an original (rejected cases wait for nothing)."""
    return OriginalsPending() & (Submission.state != "rejected")
