"""Closing a case: 办结 with its result, 送达 (handover) and 归档 with the flow card."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema import SubmissionState as S

from ..blobstore import BlobStore
from ..db import utcnow
from ..events import can_move, record_event
from ..id_lookup import normalize_identity
from ..models import Matter, Station, Submission, SubmissionEvent
from . import history, notify, paperwork
from .actions import move, refuse, require_decider, require_state, text_field
from .delivery import checked_delivery
from .errors import WorkspaceError
from .models import CaseResult, StaffUser
from .result_stamp import stamp
from .results import check_pdf, store_bytes
from .roles import Role
from .verify_code import display, new_code


@dataclass(frozen=True)
class ResultInput:
    """What the complete form sends: the result and how it reaches the applicant."""

    kind: str  # electronic_certificate | paper
    delivery: str  # pickup | mail | online | electronic (delivery.LABELS)
    opinion: str
    pdf: bytes | None = None
    filename: str | None = None
    tracking_no: str | None = None
    delivery_reason: str | None = None  # required when delivery differs from the applicant's choice
    verify_base: str = ""  # where the printed QR points (https://host), see views_verify.public_base


def complete(
    session: Session,
    submission: Submission,
    user: StaffUser,
    result: ResultInput,
    store: BlobStore,
    max_bytes: int,
    now: datetime | None = None,
) -> SubmissionEvent:
    """办结 with the result: an uploaded PDF (stamped with its 核验码 QR), or paper by mail or pickup."""
    now = now or utcnow()
    require_decider(user, submission)
    require_state(submission, "complete", {S.accepted, S.special_stage}, "须先受理。")
    opinion = text_field(result.opinion, "办理意见")
    if result.kind not in {"electronic_certificate", "paper"}:
        raise WorkspaceError("unknown result kind", "请选择电子结果或纸质结果")
    changed = checked_delivery(
        submission, session.get(Matter, submission.matter_code), result.kind, result.delivery,
        result.delivery_reason,
    )  # fmt: skip
    tracking = text_field(result.tracking_no, "快递单号", required=result.delivery == "mail")
    sha = size = code = None
    if result.kind == "electronic_certificate":
        check_pdf(result.pdf or b"", max_bytes)
        code = new_code()
        stamped = stamp(result.pdf or b"", code, f"{result.verify_base}/verify/{display(code)}")
        sha, size = store_bytes(store, stamped), len(stamped)
    # an online applicant chose the pickup station (manifest delivery.station_code); a
    # kiosk's applicant picks up where the case was collected
    chosen = (submission.manifest.get("delivery") or {}).get("station_code")
    pickup = (chosen or submission.station_code) if result.delivery == "pickup" else None
    row = CaseResult(
        public_id=secrets.token_urlsafe(16), submission_id=submission.id, kind=result.kind,
        delivery=result.delivery, sha256=sha, size=size, filename=(result.filename or "")[:200] or None,
        tracking_no=tracking or None, pickup_station=pickup, opinion=opinion, created_by=user.username,
        verify_code=code,
    )  # fmt: skip
    session.add(row)
    session.flush()
    named = pickup or submission.station_code
    station = session.get(Station, named) if named else None
    message = notify.completed_text(
        result.delivery, station=station.name if station else "", tracking_no=tracking,
        verify_code=display(code) if code else "",
    )  # fmt: skip
    detail = {"result_id": row.public_id, "result_kind": result.kind, "delivery": result.delivery,
              "tracking_no": tracking, "opinion": opinion, "result_sha256": sha, **changed}  # fmt: skip
    return move(
        session, submission, user, "complete", S.completed, message, detail, now, pickup_station=pickup
    )


def deliver(
    session: Session, submission: Submission, user: StaffUser, id_check: str = "", now: datetime | None = None
) -> SubmissionEvent:
    """送达: station staff hand over a pickup (ID number checked); reviewers confirm mail/online."""
    now = now or utcnow()
    require_state(submission, "deliver", {S.completed})
    if Role(user.role) is Role.station_staff:
        identity = submission.applicant_id_number or submission.applicant_uscc or ""
        if not id_check or not secrets.compare_digest(
            normalize_identity(id_check), normalize_identity(identity)
        ):
            raise WorkspaceError(
                "identity check failed", "领取人证件号码与申请人不一致，不能交付", status=409
            )
        how = "pickup"
    else:
        require_decider(user, submission)
        # the method chosen at 办结 (it may differ from the applicant's, with a reason)
        result = session.scalars(
            select(CaseResult).where(CaseResult.submission_id == submission.id).order_by(CaseResult.id.desc())
        ).first()
        chosen = result.delivery if result else submission.delivery_method
        how = chosen if chosen in {"mail", "online", "electronic"} else "mail"
    return move(
        session, submission, user, "deliver", S.delivered, notify.delivered_text(how), {"how": how}, now
    )


def archive(
    session: Session, submission: Submission, user: StaffUser, store: BlobStore, now: datetime | None = None
) -> SubmissionEvent:
    """归档 with the flow card (附录 D) rendered from the events and kept with the case."""
    now = now or utcnow()
    require_decider(user, submission)
    require_state(
        submission, "archive", {S.delivered, S.rejected, S.completed}, "须办结送达或不予受理后归档。"
    )
    pdf = paperwork.render(session, submission, "flow_card")
    assert pdf is not None
    sha = store_bytes(store, pdf)
    if not can_move(submission.state, S.archived):
        raise refuse(submission, "archive")
    return record_event(
        session, submission, S.archived, "申请材料及审批流程登记卡已归档",
        {"action": "archive", "flow_card_sha256": sha}, actor=user.username, at=now,
    )  # fmt: skip


def archived_flow_card(submission: Submission) -> str | None:
    event = history.last(list(submission.events), "archive")
    return (event.detail or {}).get("flow_card_sha256") if event else None
