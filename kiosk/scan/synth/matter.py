"""A matter whose material list covers every synthetic document kind, with recognition
hints written the way the demo catalog writes them; the benchmark classifies against it
and tests check completeness with it."""

from __future__ import annotations

from typing import Any

from shared_schema import MaterialRequirement, Matter

# document kind (synth.documents.KINDS) → material requirement code
REQUIREMENT_OF_KIND = {
    "receipt_notice": "receipt_notice",
    "transfer_slip": "transfer_slip",
    "flow_card": "flow_card",
    "id_card_front": "id_card_front",
    "id_card_back": "id_card_back",
    "business_licence": "business_licence",
    "household_register": "household_register",
    "application_form": "application_form",
    "guide_page": "guide",
}


def _req(code: str, name: str, kind: str, **extra: Any) -> dict[str, Any]:
    hints = {"kind": kind, **extra.pop("hints", {})}
    return {"code": code, "name": name, "source": "申请人自备", "hints": hints, **extra}


MATERIALS = [
    _req("application_form", "参保登记申请表", "form", hints={
        "keywords": ["参保登记"], "any_keywords": ["申请表", "申请人签字", "申请日期"],
        "fields": ["name", "id_number", "phone"]}),
    _req("id_card_front", "申请人居民身份证（人像面）", "id_card_front", form="copy", hints={
        "keywords": ["公民身份号码"], "any_keywords": ["姓名", "性别", "民族", "出生", "住址"],
        "fields": ["name", "id_number"], "page_size": "id_card", "colour": True}),
    _req("id_card_back", "申请人居民身份证（国徽面）", "id_card_back", form="copy", hints={
        "keywords": ["居民身份证"], "any_keywords": ["中华人民共和国", "签发机关", "有效期限"],
        "page_size": "id_card", "colour": True}),
    _req("household_register", "居民户口簿（常住人口登记卡）", "household_register", form="copy", hints={
        "any_keywords": ["常住人口登记卡", "户主", "与户主关系"], "fields": ["name", "id_number"],
        "page_size": "A5"}),
    _req("business_licence", "营业执照副本", "business_licence", form="copy", required=False,
         condition="是否以企业或个体工商户名义申请？", hints={
        "keywords": ["营业执照", "统一社会信用代码"], "barcode_patterns": [r"gsxt\.gov\.cn"],
        "fields": ["uscc"]}),
    _req("receipt_notice", "申请材料接收通知书", "form", required=False,
         condition="是否已由其他窗口代收？", hints={"keywords": ["申请材料接收通知书"]}),
    _req("transfer_slip", "申请材料转办单", "form", required=False, condition="是否由窗口转办？",
         hints={"keywords": ["申请材料转办单"], "any_keywords": ["郑重承诺", "接件单位"]}),
    _req("flow_card", "审批流程登记卡", "form", required=False, condition="是否为归档材料？",
         hints={"keywords": ["审批流程登记卡"], "any_keywords": ["办理环节", "特殊环节", "受理编号"]}),
    _req("guide", "办事指南", "document", required=False, condition="是否附办事指南？",
         hints={"keywords": ["办事指南"], "any_keywords": ["事项名称", "服务对象", "咨询电话"]}),
]  # fmt: skip

GUIDE = {
    "applicant_scope": "本市户籍城乡居民",
    "basis": ["《中华人民共和国社会保险法》"],
    "implementing_body": "泽州县人力资源和社会保障局",
    "conditions": ["年满十六周岁"],
    "process": [{"name": "申请", "description": "提交材料"}],
    "result_name": "参保登记结果",
    "delivery_note": "当场告知",
    "consultation_phone": "12345",
    "complaint_phone": "12345",
    "location": "全市任一市域通办窗口",
    "hours": "周一至周五",
    "progress_query": "凭受理编号查询",
}


def synthetic_matter(materials: list[dict[str, Any]] | None = None) -> Matter:
    body = {
        "code": "JC-SCAN-001",
        "name": "城乡居民基本养老保险参保登记",
        "domain": "社保",
        "frequency": "high",
        "handling_mode": "home_acceptance",
        "case_type": "promised",
        "legal_days": 20,
        "promised_days": 10,
        "result_kinds": ["paper"],
        "delivery_options": ["pickup"],
        "guide": {**GUIDE, "materials": materials if materials is not None else MATERIALS},
    }
    return Matter.parse(body, context="synthetic matter")


def requirements() -> list[MaterialRequirement]:
    return synthetic_matter().guide.materials
