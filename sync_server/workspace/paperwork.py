"""The appendix forms of one submission, filled from what was recorded.

附录 A (receipt notice) and 附录 B (transfer slip) come from the manifest the kiosk sent;
附录 D (flow card) from the submission's stage times and events. The renderers in
``shared_schema.render`` turn them into PDFs.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema import FlowCard, MaterialRow, ReceiptNotice, SpecialStage, Stage, TransferSlip
from shared_schema.forms import FlowStageRecord, OriginalsMailed, SpecialStageRecord
from shared_schema.render.correction_notice import CorrectionNotice, render_correction_notice
from shared_schema.render.flow_card import render_flow_card
from shared_schema.render.receipt_notice import render_receipt_notice
from shared_schema.render.transfer_slip import render_transfer_slip
from shared_schema.signature import Signature
from shared_schema.submission import CompletenessIssue

from ..models import Department, Matter, Station, Submission
from ..original_mailing import expected_originals, mailing_of
from ..workdays import local_date
from . import history
from .handovers import handover_of, handover_words
from .models import CaseResult, StaffUser

FORMS = {
    "receipt_notice": "申请材料接收通知书",
    "transfer_slip": "申请材料转办单",
    "flow_card": "审批流程登记卡",
    "correction_notice": "补正告知书",
}
DELIVERY_WORDS = {
    "mail": "邮寄送达", "pickup": "窗口领取", "online": "线上领取电子结果", "electronic": "电子结果自助打印",
}  # fmt: skip


def material_rows(submission: Submission) -> list[MaterialRow]:
    return [
        MaterialRow(
            index=i,
            name=m["name"],
            count=m.get("count", 1),
            pages=len(m.get("pages", [])),
            note=m.get("note") or "",
        )
        for i, m in enumerate(submission.manifest.get("materials", []), start=1)
    ]


def _names(session: Session, submission: Submission) -> tuple[str, str, str]:
    matter = session.get(Matter, submission.matter_code)
    dept = session.get(Department, submission.department_code) if submission.department_code else None
    station = session.get(Station, submission.station_code) if submission.station_code else None
    return (
        matter.name if matter else submission.matter_code,
        dept.name if dept else "（待分派）",
        station.name if station else "",
    )


def _address(submission: Submission) -> str:
    delivery = submission.manifest.get("delivery", {})
    return delivery.get("address") or submission.manifest.get("applicant", {}).get("address") or ""


def receipt_notice(session: Session, submission: Submission) -> ReceiptNotice:
    matter, dept, station = _names(session, submission)
    return ReceiptNotice(
        receipt_no=submission.receipt_no,
        applicant_name=submission.applicant_name,
        matter_name=matter,
        department_name=dept,
        materials=material_rows(submission),
        contact_phone=submission.applicant_phone,
        address=_address(submission),
        unit=station,
        issued_on=local_date(submission.collected_at),
        transfer_by=submission.transfer_due,
    )


def transfer_slip(session: Session, submission: Submission) -> TransferSlip:
    matter, dept, station = _names(session, submission)
    applicant = submission.manifest.get("applicant", {})
    promise = submission.manifest.get("promise", {})
    return TransferSlip(
        receipt_no=submission.receipt_no,
        matter_name=matter,
        department_name=dept,
        materials=material_rows(submission),
        promise_text=promise.get("text", ""),
        applicant_signature=f"{submission.applicant_name}（已在自助终端确认承诺）",
        legal_representative=applicant.get("legal_representative") or "",
        contact_phone=submission.applicant_phone,
        address=_address(submission),
        receiving_unit=station,
        received_on=local_date(submission.collected_at),
        originals_mailed=originals_mailed(session, submission),
    )


def originals_mailed(session: Session, submission: Submission) -> OriginalsMailed | None:
    """The slip's 原件寄送 row: the originals the guide wants by post, and the station's
    tracking number once its kiosk synced it; None when the guide wants none."""
    wanted = expected_originals(session, submission)
    if not wanted:
        return None
    mailing = mailing_of(session, submission.id)
    return OriginalsMailed(
        materials=list(wanted.values()),
        tracking_no=mailing.tracking_no if mailing else "",
        mailed_on=local_date(mailing.mailed_at) if mailing else None,
    )


def full_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    wanted = {u for u in usernames if u}
    rows = session.execute(
        select(StaffUser.username, StaffUser.full_name).where(StaffUser.username.in_(wanted))
    )
    names = {u: n for u, n in rows}
    names.update({"engine": "系统自动分派", "ingest": "系统接收"})
    return names


def flow_card(session: Session, submission: Submission) -> FlowCard:
    events = list(submission.events)
    matter_row = session.get(Matter, submission.matter_code)
    matter, _dept, station = _names(session, submission)
    names = full_names(session, [e.actor for e in events] + [d.decided_by for d in submission.decisions])
    person = lambda username: names.get(username or "", username or "")  # noqa: E731

    completeness = submission.manifest.get("completeness", {})
    collect_opinion = (
        "材料齐全，已代收"
        if completeness.get("complete")
        else "形式检查有缺项：" + "；".join(i.get("message", "") for i in completeness.get("issues", []))
    )
    decision = submission.decisions[-1] if submission.decisions else None
    process_events = [
        e for e in events if history.action_of(e) in {"correct", "accept", "reject", "complete"}
    ]
    process_opinion = "；".join(_opinion(e.detail or {}) for e in process_events)
    reject = history.last(events, "reject")
    deliver = history.last(events, "deliver")
    result = session.scalars(
        select(CaseResult).where(CaseResult.submission_id == submission.id).order_by(CaseResult.id.desc())
    ).first()
    kiosk = f"{station}自助终端（{submission.kiosk_id or '-'}）"
    handover = handover_of(session, submission)
    deliver_opinion = _delivery_opinion(result, deliver)
    deliver_by = person(deliver.actor) if deliver else ""
    if handover is not None:  # handed over at the station's kiosk: the staff member answers for it
        deliver_opinion = "；".join(x for x in (deliver_opinion, handover_words(handover)) if x)
        deliver_by = handover.handed_by
    stages = [
        FlowStageRecord(stage=Stage.collect, received_at=submission.collected_at,
                        finished_at=submission.received_at, opinion=collect_opinion, responsible=kiosk),
        FlowStageRecord(stage=Stage.transfer, received_at=submission.received_at,
                        finished_at=submission.transferred_at, opinion=decision.reason_zh if decision else "",
                        responsible=person(decision.decided_by) if decision else ""),
        FlowStageRecord(stage=Stage.process, received_at=submission.transferred_at,
                        finished_at=submission.completed_at or (reject.at if reject else None),
                        opinion=process_opinion,
                        responsible=person(process_events[-1].actor) if process_events else ""),
        FlowStageRecord(stage=Stage.deliver, received_at=submission.completed_at,
                        finished_at=submission.delivered_at, opinion=deliver_opinion,
                        responsible=deliver_by),
    ]  # fmt: skip
    specials = [
        SpecialStageRecord(
            kind=SpecialStage(span.kind),
            started_at=span.started_at,
            ended_at=span.ended_at,
            reason="；".join(x for x in (span.reason, span.end_reason) if x),
            responsible=person(span.started_by),
        )
        for span in history.special_spans(events)
    ]
    signed = Signature.model_validate(handover.signature) if handover and handover.signature else None
    delivery = submission.manifest.get("delivery", {})
    return FlowCard(
        matter_name=matter,
        applicant_name=submission.applicant_name,
        contact_name=delivery.get("recipient") or submission.applicant_name,
        contact_phone=submission.applicant_phone,
        receipt_no=submission.receipt_no,
        promised_days=matter_row.promised_days if matter_row else 0,
        accepted_at=submission.accepted_at,
        stages=stages,
        special_stages=specials,
        delivery_signature=signed,
    )


def _opinion(detail: dict) -> str:
    action = detail.get("action")
    if action == "correct":
        return "一次性告知补正：" + "、".join(detail.get("items", []))
    if action == "reject":
        return f"{detail.get('kind', '不予受理')}：{detail.get('reason', '')}"
    return detail.get("opinion", "")


def _delivery_opinion(result: CaseResult | None, deliver) -> str:  # type: ignore[no-untyped-def]
    if result is None:
        return ""
    text = DELIVERY_WORDS.get(result.delivery, result.delivery)
    if result.tracking_no:
        text += f"（快递单号 {result.tracking_no}）"
    return text + ("，已送达" if deliver else "")


def correction_notice(session: Session, submission: Submission) -> CorrectionNotice | None:
    event = history.last(list(submission.events), "correct")
    if event is None:
        return None
    matter, dept, _station = _names(session, submission)
    issues = [CompletenessIssue(code="staff", message=item) for item in event.detail.get("items", [])]
    return CorrectionNotice(
        applicant_name=submission.applicant_name,
        matter_name=matter,
        issues=issues,
        unit=dept,
        issued_on=local_date(event.at),
        receipt_no=submission.receipt_no,
    )


def render(session: Session, submission: Submission, form: str) -> bytes | None:
    """PDF bytes of ``form`` (a key of FORMS), None when it does not exist yet."""
    if form == "receipt_notice":
        return render_receipt_notice(receipt_notice(session, submission))
    if form == "transfer_slip":
        return render_transfer_slip(transfer_slip(session, submission))
    if form == "flow_card":
        return render_flow_card(flow_card(session, submission))
    if form == "correction_notice":
        notice = correction_notice(session, submission)
        return render_correction_notice(notice) if notice else None
    return None
