"""The catalog (梳理清单): matters, their guides (办事指南) and material lists.

Guide elements follow GB/T 36114 and the national guide norms; docs/guide-elements.md
lists each element with its source.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from .base import SchemaModel
from .bounds import CATALOG_VERSION_LEN, MATTER_CODE_LEN, REQUIREMENT_CODE_LEN, SHORT_TEXT_LEN
from .enums import (
    CaseType,
    Delivery,
    FrequencyTier,
    HandlingMode,
    MaterialForm,
    MaterialKind,
    ResultKind,
)
from .geography import Department, Division, Station
from .holidays import HolidayTable

MATTER_CODE = r"^[0-9A-Z]{2,10}(-[0-9A-Z]{2,10}){1,3}$"


class RecognitionHints(SchemaModel):
    """How the scanner recognises a page of this material."""

    kind: MaterialKind = MaterialKind.document
    keywords: list[str] = Field(default_factory=list, description="all should appear")
    any_keywords: list[str] = Field(default_factory=list, description="at least one appears")
    barcode_patterns: list[str] = Field(default_factory=list, description="regex on payloads")
    fields: list[str] = Field(
        default_factory=list, description="fields to extract: id_number, uscc, name, date, phone"
    )
    page_size: str = Field("A4", pattern=r"^(A4|A5|id_card|photo)$")
    colour: bool = Field(False, description="keep colour when compressing")


class MaterialRequirement(SchemaModel):
    """申请材料 as the guide asks for it."""

    # a kiosk copies both into each manifest (SubmittedMaterial): the same bounds
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,40}$", max_length=REQUIREMENT_CODE_LEN)
    name: str = Field(min_length=2, max_length=SHORT_TEXT_LEN)
    form: MaterialForm = MaterialForm.original
    copies: int = Field(1, ge=1, le=20)
    min_pages: int = Field(1, ge=1, le=200)
    max_pages: int | None = Field(None, ge=1, le=500)
    source: str = Field(min_length=2, description="出具单位/来源, e.g. 申请人自备")
    required: bool = True
    condition: str | None = Field(
        None, description="when required only in some cases: a yes/no question in Chinese"
    )
    note: str | None = None
    hints: RecognitionHints = Field(default_factory=RecognitionHints)
    original_by_mail: bool = Field(
        False, description="原件随《申请材料转办单》寄送 (e.g. 户口簿); left out of the JSON when false"
    )

    @model_serializer(mode="wrap")
    def _omit_default_original(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Kiosks of earlier releases forbid unknown fields: a catalog that never marks an
        # original serialises exactly as before, so they keep reading it.
        data = handler(self)
        if not self.original_by_mail:
            data.pop("original_by_mail", None)
        return data

    @model_validator(mode="after")
    def _condition_consistent(self) -> MaterialRequirement:
        if not self.required and not self.condition:
            raise ValueError("a material that is not always required needs its condition")
        if self.max_pages is not None and self.max_pages < self.min_pages:
            raise ValueError("max_pages is smaller than min_pages")
        return self


class Fee(SchemaModel):
    item: str
    amount_yuan: Decimal = Field(ge=0)
    basis: str | None = None


class ProcessStep(SchemaModel):
    name: str
    description: str


class Guide(SchemaModel):
    """办事指南: every element a resident reads before applying (GB/T 36114)."""

    applicant_scope: str = Field(min_length=2, description="服务对象")
    basis: list[str] = Field(min_length=1, description="设定依据")
    implementing_body: str = Field(min_length=2, description="实施主体")
    conditions: list[str] = Field(min_length=1, description="受理条件")
    materials: list[MaterialRequirement] = Field(min_length=1, description="申请材料")
    process: list[ProcessStep] = Field(min_length=1, description="办理流程")
    fees: list[Fee] = Field(default_factory=list, description="收费标准; empty = 不收费")
    fee_basis: str | None = Field(None, description="收费依据")
    result_name: str = Field(min_length=2, description="审批结果名称")
    result_sample: str | None = Field(None, description="审批结果样本说明")
    delivery_note: str = Field(min_length=2, description="结果送达说明")
    quantity_limit: str = Field("无数量限制", description="数量限制")
    special_procedures: str | None = Field(None, description="特别程序")
    consultation_phone: str = Field(min_length=5, description="咨询电话")
    complaint_phone: str = Field(min_length=5, description="监督投诉电话")
    location: str = Field(min_length=2, description="办理地点")
    hours: str = Field(min_length=2, description="办理时间")
    progress_query: str = Field(min_length=2, description="办理进度查询方式")
    faq: list[str] = Field(default_factory=list, description="常见问题")

    def material(self, code: str) -> MaterialRequirement:
        for item in self.materials:
            if item.code == code:
                return item
        raise KeyError(code)


class Entrustment(SchemaModel):
    """A department allowed to decide on behalf of home departments (异地委托审批)."""

    department: str = Field(description="code of the entrusted department")
    on_behalf_of: list[str] = Field(min_length=1, description="codes of the home departments")


COUNTY_FIELDS = ("location", "consultation_phone", "hours")
"""The guide elements that may differ by county (6.3: one guide for the whole city; only
the window's address, phone and hours are local)."""


class CountyOverride(SchemaModel):
    """A county's own window address, phone or hours for one matter; nothing else."""

    division_code: str = Field(pattern=r"^\d{6}$", description="the county (县级) division")
    location: str | None = Field(None, min_length=2, max_length=SHORT_TEXT_LEN, description="办理地点")
    consultation_phone: str | None = Field(None, min_length=5, max_length=40, description="咨询电话")
    hours: str | None = Field(None, min_length=2, max_length=SHORT_TEXT_LEN, description="办理时间")

    @model_validator(mode="after")
    def _says_something(self) -> CountyOverride:
        if all(getattr(self, name) is None for name in COUNTY_FIELDS):
            raise ValueError("a county override changes at least one of location, phone, hours")
        return self


class Matter(SchemaModel):
    """政务服务事项: one tongban service and its guide."""

    code: str = Field(pattern=MATTER_CODE, max_length=MATTER_CODE_LEN)
    name: str = Field(min_length=2)
    domain: str = Field(min_length=1)
    frequency: FrequencyTier
    handling_mode: HandlingMode
    case_type: CaseType
    legal_days: int = Field(ge=0, le=365, description="法定时限, working days")
    promised_days: int = Field(ge=0, le=365, description="承诺时限, working days")
    result_kinds: list[ResultKind] = Field(min_length=1)
    delivery_options: list[Delivery] = Field(min_length=1)
    online: bool = True
    offline: bool = True
    applicant_kinds: list[str] = Field(default_factory=lambda: ["person"])
    keywords: list[str] = Field(default_factory=list, description="extra search words")
    entrustments: list[Entrustment] = Field(default_factory=list)
    guide: Guide
    county_overrides: list[CountyOverride] = Field(
        default_factory=list, description="per-county window address, phone, hours; left out when empty"
    )

    @model_serializer(mode="wrap")
    def _omit_no_overrides(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # As original_by_mail: a catalog without county overrides reads as before everywhere.
        data = handler(self)
        if not self.county_overrides:
            data.pop("county_overrides", None)
        return data

    def guide_for(self, county_code: str | None) -> Guide:
        """The guide as a window in ``county_code`` shows it (the city's, with that county's
        address, phone and hours when it has its own)."""
        for item in self.county_overrides:
            if item.division_code == county_code:
                local = {name: getattr(item, name) for name in COUNTY_FIELDS if getattr(item, name)}
                return self.guide.model_copy(update=local)
        return self.guide

    @model_validator(mode="after")
    def _limits_consistent(self) -> Matter:
        if self.promised_days > self.legal_days:
            raise ValueError("promised_days exceeds legal_days")
        if self.case_type is CaseType.instant and self.promised_days != 0:
            raise ValueError("an instant case (即办件) has promised_days 0")
        if self.handling_mode is HandlingMode.entrusted_approval and not self.entrustments:
            raise ValueError("entrusted approval needs at least one entrustment")
        codes = [m.code for m in self.guide.materials]
        if len(codes) != len(set(codes)):
            raise ValueError("material codes repeat within the guide")
        names = [m.name for m in self.guide.materials]
        if len(names) != len(set(names)):
            raise ValueError("material names repeat within the guide")
        counties = [o.division_code for o in self.county_overrides]
        if len(counties) != len(set(counties)):
            raise ValueError("a county has more than one override")
        return self


class CatalogVersion(SchemaModel):
    """Which published catalog a kiosk holds; submissions name it."""

    version: str = Field(pattern=r"^\d{4}\.\d{2}\.\d{2}(\.\d+)?$", max_length=CATALOG_VERSION_LEN)
    published_on: date
    city_code: str = Field(pattern=r"^\d{6}$")
    city_name: str


CATALOG_FORMAT = 4
"""The catalog JSON format this release reads. A kiosk asks for its own
(``GET /catalog?format=N``), so a field added later never reaches an older kiosk, whose
strict parser refuses unknown fields and would keep failing every catalog sync."""

FIELDS_SINCE_FORMAT: dict[int, tuple[str, ...]] = {
    2: ("holidays",),
    3: ("matters[].guide.materials[].original_by_mail",),
    4: ("matters[].county_overrides",),
}
"""Catalog fields by the format that added them (format 1: the first release). A path
names a field inside lists with ``[]``, e.g. ``matters[].guide.materials[].some_field``."""


def catalog_json_for_format(data: dict[str, Any], fmt: int) -> dict[str, Any]:
    """A copy of ``data`` without the fields a reader of format ``fmt`` does not know."""
    out = copy.deepcopy(data)
    for since, paths in FIELDS_SINCE_FORMAT.items():
        if since > fmt:
            for path in paths:
                _drop(out, path.split("."))
    return out


def _drop(node: Any, steps: list[str]) -> None:
    name, rest = steps[0], steps[1:]
    many = name.endswith("[]")
    key = name.removesuffix("[]")
    if not isinstance(node, dict) or key not in node:
        return
    if not rest:
        del node[key]
        return
    for child in node[key] if many else [node[key]]:
        _drop(child, rest)


class Catalog(SchemaModel):
    """The whole published list plus the places and departments it refers to."""

    version: CatalogVersion
    divisions: list[Division]
    departments: list[Department]
    stations: list[Station]
    matters: list[Matter]
    holidays: list[HolidayTable] = Field(
        default_factory=list, description="holiday tables the city imported (ahead of chinese-calendar)"
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> Catalog:
        problems = self.reference_problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def reference_problems(self) -> list[str]:
        """Every reference that does not resolve, each as one sentence."""
        division_codes = {d.code for d in self.divisions}
        department_codes = {d.code for d in self.departments}
        matter_codes = [m.code for m in self.matters]
        problems: list[str] = []
        if len(matter_codes) != len(set(matter_codes)):
            problems.append("matter codes repeat")
        years = [t.year for t in self.holidays]
        if len(years) != len(set(years)):
            problems.append("holiday tables repeat a year")
        for dept in self.departments:
            if dept.division_code not in division_codes:
                problems.append(f"department {dept.code}: unknown division {dept.division_code}")
            problems.extend(
                f"department {dept.code}: unknown matter {code}"
                for code in dept.matters
                if code not in matter_codes
            )
        counties = {d.code for d in self.divisions if d.level.value == "county"}
        for matter in self.matters:
            problems.extend(
                f"matter {matter.code}: county override for {o.division_code}, not a county of the catalog"
                for o in matter.county_overrides
                if o.division_code not in counties
            )
        for station in self.stations:
            if station.division_code not in division_codes:
                problems.append(f"station {station.code}: unknown division {station.division_code}")
        for matter in self.matters:
            for ent in matter.entrustments:
                problems.extend(
                    f"matter {matter.code}: unknown department {code}"
                    for code in [ent.department, *ent.on_behalf_of]
                    if code not in department_codes
                )
        return problems

    def matter(self, code: str) -> Matter:
        for item in self.matters:
            if item.code == code:
                return item
        raise KeyError(code)

    def division(self, code: str) -> Division:
        for item in self.divisions:
            if item.code == code:
                return item
        raise KeyError(code)

    def department(self, code: str) -> Department:
        for item in self.departments:
            if item.code == code:
                return item
        raise KeyError(code)

    def county_of(self, division_code: str) -> str | None:
        """The county-level division holding ``division_code`` (itself if it is one)."""
        known = {d.code: d for d in self.divisions}
        seen: set[str] = set()
        node = known.get(division_code)
        while node is not None and node.code not in seen:
            if node.level.value == "county":
                return node.code
            seen.add(node.code)
            node = known.get(node.parent_code or "")
        return None

    def local_matter(self, matter: Matter, station_code: str) -> Matter:
        """``matter`` with the guide as the station's county shows it (6.3 overrides)."""
        try:
            county = self.county_of(self.station(station_code).division_code)
        except KeyError:
            return matter
        local = matter.guide_for(county)
        return matter if local is matter.guide else matter.model_copy(update={"guide": local})

    def station(self, code: str) -> Station:
        for item in self.stations:
            if item.code == code:
                return item
        raise KeyError(code)
