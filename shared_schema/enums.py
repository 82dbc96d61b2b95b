"""Closed vocabularies of the standard, named as in the glossary."""

from __future__ import annotations

from enum import StrEnum


class FrequencyTier(StrEnum):
    """高频 / 中频 / 低频 (5.2, 5.3)."""

    high = "high"
    medium = "medium"
    low = "low"


class HandlingMode(StrEnum):
    """Who accepts and decides (3.2, 3.3); city-level matters go to the city department."""

    home_acceptance = "home_acceptance"  # 异地代收、属地受理
    entrusted_approval = "entrusted_approval"  # 异地委托审批
    city_level = "city_level"  # 市级事项: the city department decides


class CaseType(StrEnum):
    """即办件 / 承诺件."""

    instant = "instant"
    promised = "promised"


class Stage(StrEnum):
    """The flow card's four stages (附录 D)."""

    collect = "collect"  # 收件
    transfer = "transfer"  # 流转
    process = "process"  # 办理
    deliver = "deliver"  # 送达


class EvaluationStage(StrEnum):
    """When a resident rates (9.1, 好差评 一次一评): at collection, or at handling (the handover)."""

    collect = "collect"  # 收件时
    handle = "handle"  # 办结送达时


class RatingReason(StrEnum):
    """Optional reasons a resident ticks beside a rating (shown in Chinese: RATING_REASON_WORDS)."""

    fast = "fast"  # 办理快捷
    helpful_staff = "helpful_staff"  # 工作人员热情周到
    close_to_home = "close_to_home"  # 就近办理方便
    guide_unclear = "guide_unclear"  # 办事指南不清楚
    too_many_trips = "too_many_trips"  # 多次跑动
    too_slow = "too_slow"  # 办理时间长
    materials_repeated = "materials_repeated"  # 重复提交材料
    poor_attitude = "poor_attitude"  # 服务态度不好


class IdentityCheck(StrEnum):
    """How village staff checked who takes a result (送达)."""

    id_card_reader = "id_card_reader"  # 身份证读卡器
    scanned_id = "scanned_id"  # 扫描身份证
    receipt_qr_and_id_number = "receipt_qr_and_id_number"  # 回执二维码 + 身份证号码


class SpecialStage(StrEnum):
    """特殊环节, not counted in the promised time limit (附录 D)."""

    inspection = "inspection"  # 勘验
    review = "review"  # 评审
    rectification = "rectification"  # 整改


class Delivery(StrEnum):
    """送达 (7.3, 8.5): mail to the applicant or to the window for pickup; or online;
    or ``electronic``: the resident prints the electronic result at any service-station
    kiosk with the receipt and their ID number (for matters whose guide names one)."""

    mail = "mail"
    pickup = "pickup"
    online = "online"  # 线上领取电子证照
    electronic = "electronic"  # 任一服务站自助终端凭回执和证件打印电子结果


class ResultKind(StrEnum):
    electronic_certificate = "electronic_certificate"  # 电子证照
    paper = "paper"


class ApplicantKind(StrEnum):
    person = "person"
    enterprise = "enterprise"


class MaterialForm(StrEnum):
    """Whether a material is the original, a copy, or an electronic file."""

    original = "original"  # 原件
    copy = "copy"  # 复印件
    electronic = "electronic"  # 电子材料


class MaterialKind(StrEnum):
    """What a material physically is; drives classification and compression."""

    id_card_front = "id_card_front"  # 身份证人像面
    id_card_back = "id_card_back"  # 身份证国徽面
    household_register = "household_register"  # 户口簿
    business_licence = "business_licence"  # 营业执照
    form = "form"  # 申请表 / 登记表
    certificate = "certificate"  # 证明、证书
    photo = "photo"  # 照片
    document = "document"  # any other text document


class SubmissionState(StrEnum):
    """Life of a submission, kiosk outbox through department decision."""

    draft = "draft"
    finalized = "finalized"
    uploading = "uploading"
    acknowledged = "acknowledged"
    routed = "routed"
    accepted = "accepted"
    correction_requested = "correction_requested"
    rejected = "rejected"
    special_stage = "special_stage"
    completed = "completed"
    delivered = "delivered"
    archived = "archived"


class DivisionLevel(StrEnum):
    province = "province"
    city = "city"
    county = "county"
    township = "township"
    village = "village"
