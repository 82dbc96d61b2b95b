"""The data of the standard's four appendix forms, plus the evaluation (9.1).

These hold what the forms print, filled from records; renderers (PDF, XLSX) live with
the kiosk and server, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BeforeValidator, Field, model_validator

from .base import SchemaModel
from .bounds import COMMENT_LEN, STATION_CODE_LEN, Instant, text
from .enums import CaseType, EvaluationStage, RatingReason, SpecialStage, Stage
from .signature import Signature
from .submission import CompletenessIssue, ReceiptNo

TRANSFER_WORKING_DAYS = 2  # 附录 A: "我单位负责将你的申请材料在 2 日内转报"

PROMISE_TEMPLATE = (
    "{who}向{department}申请办理{matter}，提交的以上材料真实合法有效，"
    "并对申请材料实质内容的真实性负责。如有虚假，愿意承担相应的法律责任。"
)
# 附录 B prints "我(单位)" as a form to fill in; the applicant reads and signs the filled-in
# sentence, so it names who is promising: a person promises as 本人, an enterprise as 本单位.
PROMISE_SUBJECT = {"person": "本人", "enterprise": "本单位"}


def promise_statement(applicant_kind: str, department: str, matter: str) -> str:
    """The transfer slip's promise (附录 B) as the applicant confirms it, on screen and on paper."""
    who = PROMISE_SUBJECT[str(applicant_kind)]
    return PROMISE_TEMPLATE.format(who=who, department=department, matter=matter)


RECEIPT_STATEMENT_TEMPLATE = (
    "你申请办理的{matter}，属于{department}的权限，我单位负责将你的申请材料在 {days} 日内转报到{department}。"
)


class MaterialRow(SchemaModel):
    """One row of the materials table in 附录 A and 附录 B (序号 材料名称 数量 页数 备注)."""

    index: int = Field(ge=1)
    name: str
    count: int = Field(ge=0)
    pages: int = Field(ge=0)
    note: str = ""


class ReceiptNotice(SchemaModel):
    """申请材料接收通知书 (附录 A)."""

    receipt_no: str
    applicant_name: str
    matter_name: str
    department_name: str = Field(description="事项办理单位")
    transfer_days: int = TRANSFER_WORKING_DAYS
    transfer_by: date | None = Field(
        None, description="the last day of the transfer, counted in working days (WorkCalendar)"
    )
    materials: list[MaterialRow]
    contact_phone: str
    address: str = ""
    unit: str = Field(description="单位: the collecting station")
    issued_on: date

    def statement(self) -> str:
        text = RECEIPT_STATEMENT_TEMPLATE.format(
            matter=self.matter_name, department=self.department_name, days=self.transfer_days
        )
        day = self.transfer_by
        if day is None:
            return text
        return text + f"转报期限至 {day.year} 年 {day.month} 月 {day.day} 日（按工作日计算）。"


class OriginalsMailed(SchemaModel):
    """原件寄送 on the transfer slip: the originals the guide wants by post, and the
    station's tracking number once entered (``shared_schema.mailing``)."""

    materials: list[str] = Field(description="names of the originals sent with the slip")
    tracking_no: str = Field("", description="快递单号; empty until the station enters it")
    mailed_on: date | None = None


class TransferSlip(SchemaModel):
    """申请材料转办单 (附录 B): travels with the materials to the department."""

    receipt_no: str
    matter_name: str
    department_name: str
    materials: list[MaterialRow]
    promise_text: str
    applicant_signature: str = Field(description="申请人(签名或盖章)")
    legal_representative: str = ""
    contact_phone: str
    address: str = ""
    receiving_unit: str = Field(description="接件单位")
    received_on: date
    originals_mailed: OriginalsMailed | None = Field(None, description="原件寄送, when the guide asks for it")


class LedgerEntry(SchemaModel):
    """事项办理台账 (附录 C), exactly the standard's columns."""

    handled_at: datetime = Field(description="办理时间")
    section: str = Field(description="业务科室")
    matter_name: str = Field(description="办理事项")
    quantity: int = Field(1, ge=1, description="数量")
    case_type: CaseType = Field(description="办件类型 (即办件/承诺件)")
    applicant: str = Field(description="申请人")
    phone: str = Field(description="联系电话")
    window: str = Field(description="办理窗口")
    staff: str = Field(description="办理人员")
    state: str = Field(description="办理状态")
    note: str = Field("", description="备注")


LEDGER_COLUMNS: list[tuple[str, str]] = [
    ("handled_at", "办理时间"),
    ("section", "业务科室"),
    ("matter_name", "办理事项"),
    ("quantity", "数量"),
    ("case_type", "办件类型 (即办件/承诺件)"),
    ("applicant", "申请人"),
    ("phone", "联系电话"),
    ("window", "办理窗口"),
    ("staff", "办理人员"),
    ("state", "办理状态"),
    ("note", "备注"),
]


class FlowStageRecord(SchemaModel):
    """One of the four rows 收件/流转/办理/送达 of 附录 D."""

    stage: Stage
    received_at: datetime | None = Field(None, description="接件时间")
    finished_at: datetime | None = Field(None, description="办结时间")
    opinion: str = Field("", description="办理意见")
    responsible: str = Field("", description="责任人")


class SpecialStageRecord(SchemaModel):
    """勘验/评审/整改: not counted in the promised time limit."""

    kind: SpecialStage
    started_at: datetime
    ended_at: datetime | None = None
    reason: str = ""
    responsible: str = ""


class FlowCard(SchemaModel):
    """审批流程登记卡 (附录 D), filled from recorded events, archived with the materials."""

    matter_name: str = Field(description="申请事项")
    applicant_name: str = Field(description="申请人姓名")
    contact_name: str = Field(description="联系人")
    contact_phone: str = Field(description="联系电话")
    receipt_no: str = Field(description="受理编号")
    promised_days: int = Field(ge=0, description="承诺时限 (working days)")
    accepted_at: datetime | None = Field(None, description="受理时间")
    stages: list[FlowStageRecord] = Field(min_length=4, max_length=4)
    special_stages: list[SpecialStageRecord] = Field(default_factory=list)
    delivery_signature: Signature | None = Field(
        None, exclude_if=lambda v: v is None, description="送达 签收: the recipient's signature, if any"
    )


# 好差评 (国办发〔2019〕51号): the five national levels, score ↔ level code (docs/workspace.md).
NATIONAL_LEVELS: dict[int, str] = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
RATING_REASON_WORDS: dict[RatingReason, str] = {
    RatingReason.fast: "办理快捷",
    RatingReason.helpful_staff: "工作人员热情周到",
    RatingReason.close_to_home: "就近办理方便",
    RatingReason.guide_unclear: "办事指南不清楚",
    RatingReason.too_many_trips: "多次跑动",
    RatingReason.too_slow: "办理时间长",
    RatingReason.materials_repeated: "重复提交材料",
    RatingReason.poor_attitude: "服务态度不好",
}
MAX_REASONS = len(RatingReason)
# What kiosks of earlier releases could send as ``at_stage`` (the flow card's stages):
# only ``collect`` was ever used; anything past collection counts as handling.
_LEGACY_STAGES = {stage.value: EvaluationStage.handle.value for stage in Stage if stage is not Stage.collect}


def _legacy_stage(value: object) -> object:
    return _LEGACY_STAGES.get(value, value) if isinstance(value, str) else value


class Evaluation(SchemaModel):
    """评价 (9.1): a 1–5 rating at collection or at handling; queued like a submission.

    ``at_stage`` missing means collect (kiosks of earlier releases); a rating at
    handling names its case. The server ties it to the case's department.
    """

    evaluation_uuid: UUID
    receipt_no: ReceiptNo | None = None
    station_code: Annotated[str, text(STATION_CODE_LEN)]
    at_stage: Annotated[EvaluationStage, BeforeValidator(_legacy_stage)] = EvaluationStage.collect
    score: int = Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意 (NATIONAL_LEVELS)")
    comment: Annotated[str, text(COMMENT_LEN)] = ""
    # Left out of the JSON when empty, so a server of an earlier release (which forbids
    # unknown fields) still takes a plain rating at collection.
    reasons: list[RatingReason] = Field(
        default_factory=list, max_length=MAX_REASONS, exclude_if=lambda v: not v
    )
    created_at: Instant

    @model_validator(mode="after")
    def _handling_names_its_case(self) -> Evaluation:
        if self.at_stage is EvaluationStage.handle and not self.receipt_no:
            raise ValueError("a rating at handling needs the case's receipt_no")
        if len(set(self.reasons)) != len(self.reasons):
            raise ValueError("each reason at most once")
        return self

    def national_level(self) -> str:
        return NATIONAL_LEVELS[self.score]


@dataclass
class CorrectionNotice:
    """申请材料补正告知书 (一次性告知, 8.2.1): the data; ``render.correction_notice`` lays it out."""

    applicant_name: str
    matter_name: str
    issues: list[CompletenessIssue]
    unit: str
    issued_on: date
    consultation_phone: str = ""
    receipt_no: str | None = None
    extra: list[str] = field(default_factory=list)
