"""The signed-in resident's own cases, as the follow pages show them (网上专区, standard §7.2–7.3).

Which cases: those applied for online (``online_case``) with the signed-in phone as the
applicant's phone. Kiosk cases are not listed even when their applicant phone matches:
a phone typed at a kiosk was never proven (a slip of one digit would hand the case to a
stranger); kiosk cases are followed at any kiosk with the receipt and the ID number.

Every lookup by receipt number goes through :func:`owned_case`: another phone's case, a
kiosk case and a receipt that does not exist all get the same 404, so nobody learns
which receipt numbers exist. Time limits are the workspace's own (``workspace.limits``,
working days of the catalog's holiday calendar), read from the same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from shared_schema import EvaluationStage
from shared_schema import SubmissionState as S
from shared_schema.supplement import CorrectionItem, items_of_detail

from ..models import Evaluation, Matter, Station, Submission
from ..workspace import history, limits
from ..workspace.delivery import LABELS as DELIVERY_LABELS
from ..workspace.errors import WorkspaceError
from ..workspace.models import CaseResult
from ..workspace.phone_rating import stage_rating
from ..workspace.roles import STATE_LABELS

LIST_LIMIT = 200
ONLINE_SOURCE = "online"

# What each state means for the resident, in one plain sentence.
STATE_HINTS = {
    S.acknowledged: "申请已收到，正在转交办理部门。",
    S.routed: "办理部门正在审查您的申请材料。",
    S.correction_requested: "办理部门需要您补正材料，请按下方告知上传。",
    S.accepted: "申请已受理，正在办理。",
    S.special_stage: "申请处于特殊环节（如现场勘验），这段时间不计入承诺时限。",
    S.completed: "已办结，请查看办理结果。",
    S.delivered: "办理结果已送达。",
    S.archived: "已办结并归档。",
    S.rejected: "申请未予受理或未获许可，原因见下方记录。",
}


def online_case(phone: str) -> ColumnElement[bool]:
    """The rows that are ``phone``'s online applications (docs/online.md)."""
    return (Submission.source == ONLINE_SOURCE) & (Submission.applicant_phone == phone)


def online_case_row(sub: Submission, phone: str) -> bool:
    """:func:`online_case` for a loaded row."""
    return sub.source == ONLINE_SOURCE and sub.applicant_phone == phone


def not_found() -> WorkspaceError:
    """The one answer for absent, a kiosk case and another phone's case."""
    return WorkspaceError("no such online case for this phone", "未找到该申请", status=404)


def owned_case(session: Session, phone: str, receipt_no: str, *, lock: bool = False) -> Submission:
    """``phone``'s online case ``receipt_no`` (row-locked when ``lock``), else 404."""
    if not receipt_no or len(receipt_no) > 64:
        raise not_found()
    query = select(Submission).where(online_case(phone), Submission.receipt_no == receipt_no)
    found = session.scalars(query.with_for_update() if lock else query).first()
    if found is None:
        raise not_found()
    return found


@dataclass(frozen=True)
class CaseLine:
    """One row of the case list."""

    receipt_no: str
    matter_name: str
    state: str
    state_label: str
    received_on: date
    needs_action: bool


def my_cases(session: Session, phone: str) -> list[CaseLine]:
    """``phone``'s online cases, newest first, at most ``LIST_LIMIT``."""
    rows = session.execute(
        select(Submission, Matter.name)
        .outerjoin(Matter, Matter.code == Submission.matter_code)
        .where(online_case(phone))
        .order_by(Submission.received_at.desc(), Submission.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return [
        CaseLine(
            receipt_no=sub.receipt_no,
            matter_name=name or sub.matter_code,
            state=sub.state,
            state_label=STATE_LABELS.get(S(sub.state), sub.state),
            received_on=limits.local_date(sub.received_at),
            needs_action=sub.state == S.correction_requested.value,
        )
        for sub, name in rows
    ]


@dataclass(frozen=True)
class Correction:
    """The open correction notice (一次性告知): every item, and its round for the supplement."""

    round: int
    items: list[CorrectionItem]
    message: str


@dataclass(frozen=True)
class ResultInfo:
    """One result as the resident sees it: a file to download, or where the paper goes."""

    public_id: str
    kind: str
    delivery_label: str
    downloadable: bool
    tracking_no: str | None
    pickup_station: str | None
    opinion: str


@dataclass(frozen=True)
class Deadline:
    label: str
    due: date
    left: int


@dataclass(frozen=True)
class CaseView:
    """Everything the case page shows."""

    submission: Submission
    matter_name: str
    state_label: str
    state_hint: str
    deadlines: list[Deadline]
    paused: bool
    correction: Correction | None
    results: list[ResultInfo]
    events: list[tuple[str, str, str]]  # (time, state label, message)
    can_rate: bool
    rating: Evaluation | None
    collect_rating: Evaluation | None  # the rating of the collection (收件), asked until given


def case_view(session: Session, sub: Submission, today: date) -> CaseView:
    """The page's data for one owned case (``today``: China's date)."""
    matter = session.get(Matter, sub.matter_code)
    events = list(sub.events)
    state = S(sub.state)
    rating = stage_rating(session, sub.receipt_no, EvaluationStage.handle)
    results = _results(session, sub)
    return CaseView(
        submission=sub,
        matter_name=matter.name if matter else sub.matter_code,
        state_label=STATE_LABELS.get(state, sub.state),
        state_hint=STATE_HINTS.get(state, ""),
        deadlines=_deadlines(sub, matter, events, today),
        paused=state is S.special_stage,
        correction=open_correction(sub),
        results=results,
        events=[(e.at.isoformat(), STATE_LABELS.get(S(e.state), e.state), e.message_zh) for e in events],
        can_rate=rating is None and state in {S.completed, S.delivered, S.archived} and bool(results),
        rating=rating,
        collect_rating=stage_rating(session, sub.receipt_no, EvaluationStage.collect),
    )


def _deadlines(sub: Submission, matter: Matter | None, events: list, today: date) -> list[Deadline]:
    state = S(sub.state)
    if state in {S.completed, S.delivered, S.archived, S.rejected}:
        return []
    spans = history.special_spans(events)
    found = limits.case_limits(
        received_at=history.materials_received_at(sub), accepted_at=sub.accepted_at,
        promised_days=matter.promised_days if matter else 0, legal_days=matter.legal_days if matter else 0,
        spans=spans, today=today,
    )  # fmt: skip
    if found.promised_due is None:
        if state is S.correction_requested:
            return []  # the clock waits for the resident's supplement
        return [Deadline("受理或一次性告知补正的期限", found.notice_due, found.notice_left)]
    out = [Deadline("承诺办结期限", found.promised_due, found.promised_left or 0)]
    if found.legal_due is not None and found.legal_due != found.promised_due:
        out.append(Deadline("法定办结期限", found.legal_due, found.legal_left or 0))
    return out


def matter_name(session: Session, sub: Submission) -> str:
    matter = session.get(Matter, sub.matter_code)
    return matter.name if matter else sub.matter_code


def open_correction(sub: Submission) -> Correction | None:
    """The notice the case waits on (None unless it waits for a supplement)."""
    if sub.state != S.correction_requested.value:
        return None
    requests = [e for e in sub.events if history.action_of(e) == "correct"]
    if not requests:
        return None
    last = requests[-1]
    return Correction(len(requests), items_of_detail(last.detail or {}), last.message_zh)


def _results(session: Session, sub: Submission) -> list[ResultInfo]:
    rows = session.execute(
        select(CaseResult, Station.name)
        .outerjoin(Station, Station.code == CaseResult.pickup_station)
        .where(CaseResult.submission_id == sub.id)
        .order_by(CaseResult.id)
    ).all()
    return [
        ResultInfo(
            public_id=row.public_id,
            kind="电子结果" if row.kind == "electronic_certificate" else "纸质结果",
            delivery_label=DELIVERY_LABELS.get(row.delivery, row.delivery),
            downloadable=row.sha256 is not None,
            tracking_no=row.tracking_no,
            pickup_station=station,
            opinion=row.opinion,
        )
        for row, station in rows
    ]
