"""The decisions a department takes on a case, each one event with who and when.

Every action checks who may take it and from which state, records one event through
``events.record_event`` (so the kiosk feed learns of it) with the staff member as actor,
and queues the applicant's SMS. Illegal moves raise WorkspaceError with a message that
says what is possible instead. The caller owns the transaction.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from shared_schema import Matter as MatterModel
from shared_schema import SpecialStage
from shared_schema import SubmissionState as S
from shared_schema.supplement import correction_items

from ..db import utcnow
from ..events import can_move, record_event
from ..models import Matter, Submission, SubmissionEvent
from ..workdays import local_date
from . import history, notify
from .errors import WorkspaceError
from .limits import SpecialSpan, due_date, notice_deadline
from .models import StaffUser
from .roles import state_label
from .scope import may_decide

ACTION_NAMES = {
    "accept": "受理",
    "correct": "补正告知",
    "reject": "不予受理/不予许可",
    "special_start": "开始特殊环节",
    "special_end": "结束特殊环节",
    "complete": "办结",
    "deliver": "送达",
    "archive": "归档",
}
MAX_TEXT = 500


def text_field(value: str | None, what_zh: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise WorkspaceError(f"{what_zh} is required", f"请填写{what_zh}")
    if len(text) > MAX_TEXT:
        raise WorkspaceError(f"{what_zh} too long", f"{what_zh}不能超过 {MAX_TEXT} 字")
    return text


def refuse(submission: Submission, action: str, hint: str = "") -> WorkspaceError:
    return WorkspaceError(
        f"{action} not allowed in state {submission.state}",
        f"当前状态为「{state_label(submission.state)}」，不能{ACTION_NAMES[action]}。{hint}".rstrip(),
        status=409,
    )


def require_state(submission: Submission, action: str, states: set[S], hint: str = "") -> None:
    if S(submission.state) not in states:
        raise refuse(submission, action, hint)


def require_decider(user: StaffUser, submission: Submission) -> None:
    if not may_decide(user, submission):
        raise WorkspaceError(
            "only the department's reviewers decide", "只有承办部门的审核人员可以办理", status=403
        )


def move(
    session: Session,
    submission: Submission,
    user: StaffUser,
    action: str,
    target: S,
    message: str,
    detail: dict,
    now: datetime,
    *,
    pickup_station: str | None = None,
) -> SubmissionEvent:
    if not can_move(submission.state, target):
        raise refuse(submission, action)
    event = record_event(
        session, submission, target, message, {"action": action, **detail},
        actor=user.username, at=now, pickup_station=pickup_station,
    )  # fmt: skip
    notify.tell_applicant(session, submission, event)
    return event


def matter_of(session: Session, submission: Submission) -> Matter:
    matter = session.get(Matter, submission.matter_code)
    if matter is None:
        raise WorkspaceError("matter not in catalog", "该事项不在事项清单中，无法计算时限", status=409)
    return matter


def guide_codes(matter: Matter | None) -> dict[str, str]:
    """Material name → requirement code, so a ticked guide material becomes a notice item
    the kiosk can scan for (free-text items get ``item-<n>`` keys)."""
    if matter is None:
        return {}
    return {m.name: m.code for m in MatterModel.model_validate(matter.body).guide.materials}


def accept(
    session: Session, submission: Submission, user: StaffUser, opinion: str = "", now: datetime | None = None
) -> SubmissionEvent:
    """受理: starts the promised and legal limits."""
    now = now or utcnow()
    require_decider(user, submission)
    require_state(submission, "accept", {S.routed, S.correction_requested})
    matter = matter_of(session, submission)
    submission.promised_due = due_date(now, matter.promised_days)
    submission.legal_due = due_date(now, matter.legal_days)
    opinion = text_field(opinion, "受理意见", required=False) or "申请材料齐全，符合法定形式，予以受理"
    message = notify.accepted_text(submission.promised_due, matter.promised_days == 0)
    detail = {"opinion": opinion, "promised_due": submission.promised_due.isoformat(),
              "legal_due": submission.legal_due.isoformat()}  # fmt: skip
    return move(session, submission, user, "accept", S.accepted, message, detail, now)


def request_correction(
    session: Session, submission: Submission, user: StaffUser, items: list[str], now: datetime | None = None
) -> SubmissionEvent:
    """补正: the complete list, told once (一次性告知)."""
    now = now or utcnow()
    require_decider(user, submission)
    if history.correction_open(list(submission.events)):
        raise WorkspaceError(
            "correction already requested for these materials",
            "补正告知须一次性告知全部内容，本件已告知过，不能再次补正；可受理或不予受理",
            status=409,
        )
    require_state(submission, "correct", {S.routed}, "补正只能在受理前提出。")
    cleaned = [text_field(item, "补正内容") for item in items if item and item.strip()]
    if not cleaned:
        raise WorkspaceError("no correction items", "请列出需要补正的全部内容（至少一项）")
    if len(cleaned) > 30:
        raise WorkspaceError("too many items", "补正内容不能超过 30 项")
    due = notice_deadline(history.materials_received_at(submission))
    names = guide_codes(session.get(Matter, submission.matter_code))
    rounds = sum(1 for e in submission.events if history.action_of(e) == "correct") + 1
    detail = {
        "items": cleaned,
        "requirements": [i.model_dump(mode="json") for i in correction_items(cleaned, names)],
        "round": rounds,
        "notice_due": due.isoformat(),
        "late": local_date(now) > due,
    }
    return move(
        session,
        submission,
        user,
        "correct",
        S.correction_requested,
        notify.correction_text(cleaned),
        detail,
        now,
    )


def reject(
    session: Session, submission: Submission, user: StaffUser, reason: str, now: datetime | None = None
) -> SubmissionEvent:
    """不予受理 (before acceptance) or 不予许可 (after), with the reason the applicant is told."""
    now = now or utcnow()
    require_decider(user, submission)
    require_state(submission, "reject", {S.routed, S.correction_requested, S.accepted, S.special_stage})
    kind = "不予受理" if submission.accepted_at is None else "不予许可"
    reason = text_field(reason, "理由")
    detail = {"kind": kind, "reason": reason}
    return move(
        session, submission, user, "reject", S.rejected, notify.rejected_text(kind, reason), detail, now
    )


def start_special(
    session: Session,
    submission: Submission,
    user: StaffUser,
    kind: str,
    reason: str,
    now: datetime | None = None,
) -> SubmissionEvent:
    """勘验/评审/整改 begins; its days stop counting from tomorrow."""
    now = now or utcnow()
    require_decider(user, submission)
    require_state(submission, "special_start", {S.accepted}, "特殊环节须在受理后、办结前开始。")
    try:
        stage = SpecialStage(kind)
    except ValueError:
        raise WorkspaceError("unknown special stage", "请选择勘验、评审或整改") from None
    reason = text_field(reason, "原因")
    label = history.SPECIAL_LABELS[stage.value]
    detail = {"kind": stage.value, "reason": reason}
    return move(
        session,
        submission,
        user,
        "special_start",
        S.special_stage,
        notify.special_start_text(label, reason),
        detail,
        now,
    )


def _spans_closed_at(submission: Submission, now: datetime, reason: str) -> list[SpecialSpan]:
    spans = history.special_spans(list(submission.events))
    if spans and spans[-1].ended_at is None:
        spans[-1] = SpecialSpan(spans[-1].kind, spans[-1].started_at, now, spans[-1].reason, reason)
    return spans


def end_special(
    session: Session, submission: Submission, user: StaffUser, reason: str, now: datetime | None = None
) -> SubmissionEvent:
    """The special stage ends: back to processing, deadlines moved by its working days."""
    now = now or utcnow()
    require_decider(user, submission)
    require_state(submission, "special_end", {S.special_stage})
    reason = text_field(reason, "结果或原因")
    matter = matter_of(session, submission)
    spans = _spans_closed_at(submission, now, reason)
    assert submission.accepted_at is not None
    submission.promised_due = due_date(submission.accepted_at, matter.promised_days, spans)
    submission.legal_due = due_date(submission.accepted_at, matter.legal_days, spans)
    kind = spans[-1].kind if spans else "review"
    message = notify.special_end_text(history.SPECIAL_LABELS.get(kind, kind), submission.promised_due)
    detail = {"kind": kind, "reason": reason, "promised_due": submission.promised_due.isoformat()}
    return move(session, submission, user, "special_end", S.accepted, message, detail, now)


def today(now: datetime | None = None) -> date:
    return local_date(now or utcnow())
