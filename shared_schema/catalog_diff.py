"""What changed between two catalog versions: matters added and removed, and per matter
the guide elements (and matter fields) that differ, each named as the guide names it.

The city administrator reads this before publishing, and the change log keeps it; a
material is compared by its code, so a renamed material shows as one change, not as a
removal plus an addition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .catalog import Catalog, Guide, MaterialRequirement, Matter

MATTER_LABELS = {
    "name": "事项名称",
    "domain": "领域",
    "frequency": "频度",
    "handling_mode": "办理模式",
    "case_type": "办件类型",
    "legal_days": "法定时限",
    "promised_days": "承诺时限",
    "result_kinds": "结果形式",
    "delivery_options": "送达方式",
    "online": "网上可办",
    "offline": "线下可办",
    "applicant_kinds": "申请人类型",
    "keywords": "检索词",
    "entrustments": "委托审批",
    "county_overrides": "县区差异（地址、电话、时间）",
}
MATERIAL_LABELS = {
    "name": "材料名称",
    "form": "材料形式",
    "copies": "份数",
    "min_pages": "最少页数",
    "max_pages": "最多页数",
    "source": "来源",
    "required": "必需",
    "condition": "需要的情形",
    "note": "备注",
    "hints": "识别提示",
    "original_by_mail": "原件寄送",
}


def guide_label(name: str) -> str:
    """The Chinese name of a guide element (its field description, e.g. 服务对象)."""
    info = Guide.model_fields.get(name)
    return (info.description or name) if info else name


@dataclass(frozen=True)
class FieldChange:
    path: str  # e.g. "guide.hours", "guide.materials[id_card].copies", "promised_days"
    label: str  # Chinese, for the page
    old: Any
    new: Any


@dataclass
class MatterChange:
    code: str
    name: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class CatalogDiff:
    old_version: str
    new_version: str
    added: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[MatterChange] = field(default_factory=list)
    places_changed: list[str] = field(default_factory=list)  # divisions / departments / stations

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.places_changed)

    def summary(self) -> dict[str, Any]:
        """The short form kept in the change log."""
        return {
            "added": [code for code, _ in self.added],
            "removed": [code for code, _ in self.removed],
            "changed": {c.code: [f.path for f in c.changes] for c in self.changed},
            "places": self.places_changed,
        }


def diff_catalogs(old: Catalog, new: Catalog) -> CatalogDiff:
    before = {m.code: m for m in old.matters}
    after = {m.code: m for m in new.matters}
    result = CatalogDiff(old.version.version, new.version.version)
    result.added = [(c, after[c].name) for c in sorted(after.keys() - before.keys())]
    result.removed = [(c, before[c].name) for c in sorted(before.keys() - after.keys())]
    for code in sorted(before.keys() & after.keys()):
        changes = diff_matters(before[code], after[code])
        if changes:
            result.changed.append(MatterChange(code, after[code].name, changes))
    for part, label in (("divisions", "行政区划"), ("departments", "部门"), ("stations", "服务站")):
        if _dump(getattr(old, part)) != _dump(getattr(new, part)):
            result.places_changed.append(label)
    return result


def diff_matters(old: Matter, new: Matter) -> list[FieldChange]:
    changes = [
        FieldChange(name, label, _dump(getattr(old, name)), _dump(getattr(new, name)))
        for name, label in MATTER_LABELS.items()
        if _dump(getattr(old, name)) != _dump(getattr(new, name))
    ]
    for name in Guide.model_fields:
        if name == "materials":
            changes.extend(_diff_materials(old.guide.materials, new.guide.materials))
            continue
        a, b = _dump(getattr(old.guide, name)), _dump(getattr(new.guide, name))
        if a != b:
            changes.append(FieldChange(f"guide.{name}", guide_label(name), a, b))
    return changes


def _diff_materials(old: list[MaterialRequirement], new: list[MaterialRequirement]) -> list[FieldChange]:
    before = {m.code: m for m in old}
    after = {m.code: m for m in new}
    label = guide_label("materials")
    out = [
        FieldChange(f"guide.materials[{c}]", f"{label}：新增", None, after[c].name)
        for c in after
        if c not in before
    ]
    out += [
        FieldChange(f"guide.materials[{c}]", f"{label}：删除", before[c].name, None)
        for c in before
        if c not in after
    ]
    for code in (c for c in after if c in before):
        a, b = _dump(before[code]), _dump(after[code])
        out += [
            FieldChange(
                f"guide.materials[{code}].{key}",
                f"{label}「{after[code].name}」{MATERIAL_LABELS.get(key, key)}",
                a.get(key),
                b.get(key),
            )
            for key in sorted(a.keys() | b.keys())
            if a.get(key) != b.get(key)
        ]
    if [c for c in before if c in after] != [c for c in after if c in before]:
        out.append(FieldChange("guide.materials.order", f"{label}：顺序", list(before), list(after)))
    return out


def _dump(value: Any) -> Any:
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "value"):  # enums
        return value.value
    return value
