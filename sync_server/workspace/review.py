"""Everything the review page shows about one case, gathered in a few queries.

Pages with their OCR text and extracted fields (each field checked: ID number and credit
code by their check digits via python-stdnum, phone by pattern, and against the
applicant's own data), the kiosk's completeness result, the promise and contact, the
time limits, the history, and the actions the current user may take now.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema import SubmissionState as S
from shared_schema.identifiers import is_valid_id_number, is_valid_uscc, validate_phone
from shared_schema.supplement import items_of_detail

from ..models import Department, Matter, Station, Submission, Supplement
from . import history, limits
from .models import CaseResult, StaffUser
from .paperwork import full_names
from .places import division_name
from .roles import Role, state_label
from .scope import may_decide

FIELD_LABELS = {
    "id_number": "身份证号",
    "uscc": "统一社会信用代码",
    "name": "姓名",
    "phone": "电话",
    "date": "日期",
}
CASE_TYPES = {"instant": "即办件", "promised": "承诺件"}


@dataclass
class FieldCheck:
    name: str
    label: str
    value: str
    ok: bool
    note: str


@dataclass
class PageView:
    position: int
    material: str
    page_index: int
    ocr_text: str
    ocr_confidence: float | None
    fields: list[FieldCheck] = field(default_factory=list)


@dataclass
class ReviewData:
    submission: Submission
    matter_name: str
    case_type: str
    promised_days: int
    legal_days: int
    department_name: str
    station_name: str
    home_division_name: str
    materials: list[dict[str, Any]]
    pages: list[PageView]
    manifest: dict[str, Any]
    limits: limits.CaseLimits
    spans: list[limits.SpecialSpan]
    events: list[dict[str, Any]]
    decisions: list[Any]
    results: list[CaseResult]
    actions: list[str]
    correction: dict[str, Any] | None


def check_field(name: str, value: str, sub: Submission) -> FieldCheck:
    label = FIELD_LABELS.get(name, name)
    value = str(value)
    if name == "id_number":
        if not is_valid_id_number(value):
            return FieldCheck(name, label, value, False, "校验位或出生日期无效")
        if sub.applicant_id_number and value.upper() != sub.applicant_id_number:
            return FieldCheck(name, label, value, False, "与申请人身份证号不一致")
        return FieldCheck(name, label, value, True, "校验通过，与申请人一致")
    if name == "uscc":
        if not is_valid_uscc(value):
            return FieldCheck(name, label, value, False, "校验码无效")
        same = not sub.applicant_uscc or value.upper() == sub.applicant_uscc
        return FieldCheck(name, label, value, same, "校验通过" if same else "与申请单位代码不一致")
    if name == "phone":
        try:
            validate_phone(value)
        except ValueError:
            return FieldCheck(name, label, value, False, "号码格式无效")
        return FieldCheck(name, label, value, True, "格式正确")
    if name == "name":
        same = value.strip() == sub.applicant_name
        return FieldCheck(name, label, value, same, "与申请人一致" if same else "与申请人姓名不一致")
    return FieldCheck(name, label, value, True, "")


def _supplement_materials(session: Session, sub: Submission, events: list) -> dict[int, list[dict[str, Any]]]:
    """Each supplement's materials (by its number), named by what the notice asked for:
    the reviewer sees what was asked beside what came."""
    asked = {
        (number, item.key): item.text
        for number, event in enumerate((e for e in events if history.action_of(e) == "correct"), start=1)
        for item in items_of_detail(event.detail or {})
    }
    found: dict[int, list[dict[str, Any]]] = {}
    for row in session.scalars(select(Supplement).where(Supplement.submission_id == sub.id)):
        round_no = row.manifest.get("correction_round")
        found[row.number] = [
            {**m, "name": f"补正 {row.number}：{asked.get((round_no, m.get('key')), m.get('key'))}"}
            for m in row.manifest.get("materials", [])
        ]
    return found


def _pages(sub: Submission, supplements: dict[int, list[dict[str, Any]]]) -> list[PageView]:
    views = []
    for page in sub.pages:
        materials = supplements.get(page.supplement, []) if page.supplement else sub.manifest["materials"]
        try:
            material = materials[page.material_index]
            record = material["pages"][page.page_index]
        except (IndexError, KeyError):
            material, record = {"name": page.requirement_code}, {}
        fields = [check_field(k, v, sub) for k, v in (record.get("fields") or {}).items()]
        views.append(
            PageView(page.position, material.get("name", ""), page.page_index, record.get("ocr_text", ""),
                     record.get("ocr_confidence"), fields)
        )  # fmt: skip
    return views


def allowed_actions(user: StaffUser, sub: Submission, corrected: bool) -> list[str]:
    if Role(user.role) is Role.station_staff:
        return ["deliver"] if sub.state == S.completed.value else []
    if not may_decide(user, sub):
        return []
    state = S(sub.state)
    actions = {
        S.routed: ["accept", "correct", "reject"] if not corrected else ["accept", "reject"],
        S.correction_requested: ["accept", "reject"],
        S.accepted: ["special_start", "complete", "reject"],
        S.special_stage: ["special_end", "complete", "reject"],
        S.completed: ["deliver", "archive"],
        S.delivered: ["archive"],
        S.rejected: ["archive"],
    }
    return actions.get(state, [])


def review_data(session: Session, user: StaffUser, sub: Submission, today: date) -> ReviewData:
    matter = session.get(Matter, sub.matter_code)
    dept = session.get(Department, sub.department_code) if sub.department_code else None
    station = session.get(Station, sub.station_code) if sub.station_code else None
    events = list(sub.events)
    names = full_names(session, [e.actor for e in events])
    spans = history.special_spans(events)
    correction = history.last(events, "correct")
    promised_days = matter.promised_days if matter else 0
    legal_days = matter.legal_days if matter else 0
    case_limits = limits.case_limits(
        received_at=history.materials_received_at(sub), accepted_at=sub.accepted_at,
        promised_days=promised_days, legal_days=legal_days, spans=spans, today=today,
    )  # fmt: skip
    if sub.state not in {S.routed.value, S.accepted.value}:
        case_limits = replace(case_limits, badge=None)  # decided or paused: nothing is running late
    results = list(
        session.scalars(select(CaseResult).where(CaseResult.submission_id == sub.id).order_by(CaseResult.id))
    )
    return ReviewData(
        submission=sub,
        matter_name=matter.name if matter else sub.matter_code,
        case_type=CASE_TYPES.get(matter.case_type if matter else "", ""),
        promised_days=promised_days,
        legal_days=legal_days,
        department_name=dept.name if dept else "（待分派）",
        station_name=station.name if station else "",
        home_division_name=division_name(session, sub.home_division),
        materials=sub.manifest.get("materials", []),
        pages=_pages(sub, _supplement_materials(session, sub, events)),
        manifest=sub.manifest,
        limits=case_limits,
        spans=spans,
        events=[
            {
                "at": e.at,
                "state": state_label(e.state),
                "message": e.message_zh,
                "actor": names.get(e.actor or "", e.actor or ""),
                "detail": e.detail or {},
            }
            for e in events
        ],
        decisions=list(sub.decisions),
        results=results,
        actions=allowed_actions(user, sub, history.correction_open(events)),
        correction=(correction.detail if correction else None),
    )
