"""The guide editor's form ⇄ a :class:`Matter`, validated by shared_schema.

Form fields are named by the matter's JSON path (``guide.hours``,
``guide.materials.2.name``), so each problem pydantic reports lands next to the field
it is about. What the editor does not show (recognition hints, handling mode,
entrustments…) is kept from the matter as it was. Only a county's window address,
phone and hours can be set per county (6.3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from shared_schema import Matter
from shared_schema.catalog import COUNTY_FIELDS
from shared_schema.enums import FrequencyTier, MaterialForm

from .errors import WorkspaceError

TEXT_FIELDS = (
    "applicant_scope", "implementing_body", "result_name", "result_sample", "delivery_note",
    "quantity_limit", "special_procedures", "consultation_phone", "complaint_phone",
    "location", "hours", "progress_query", "fee_basis",
)  # fmt: skip
LINE_FIELDS = ("basis", "conditions", "faq")
MATERIAL_FIELDS = ("code", "name", "form", "copies", "min_pages", "max_pages", "source", "condition", "note")
MATERIAL_FLAGS = ("required", "original_by_mail")
FEE_FIELDS = ("item", "amount_yuan", "basis")
BLANK_ROWS = 2  # empty rows offered for a new material or fee
MAX_ROWS = 60
MAX_VALUE = 2000
FORMS = [f.value for f in MaterialForm]
TIERS = [t.value for t in FrequencyTier]
_INDEX = re.compile(r"^(guide\.(?:materials|fees)|county_overrides)\.(\d+)\.(.+)$")


@dataclass
class EditorState:
    """What the template shows: each field's text, and the problems found, by field name."""

    values: dict[str, Any]
    materials: int
    fees: int
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def general(self) -> list[str]:
        return self.errors.get("", [])


def state_of(matter: Matter, counties: list[str]) -> EditorState:
    data = matter.to_json_dict()
    guide = data["guide"]
    values: dict[str, Any] = {
        k: data[k] for k in ("name", "domain", "frequency", "legal_days", "promised_days")
    }
    values["keywords"] = "\n".join(data["keywords"])
    values.update({f"guide.{k}": guide.get(k) or "" for k in TEXT_FIELDS})
    values.update({f"guide.{k}": "\n".join(guide[k]) for k in LINE_FIELDS})
    values["guide.process"] = "\n".join(f"{s['name']}：{s['description']}" for s in guide["process"])
    for i, item in enumerate(guide["materials"]):
        values.update(
            {
                f"guide.materials.{i}.{k}": item.get(k) if item.get(k) is not None else ""
                for k in MATERIAL_FIELDS
            }
        )
        values.update({f"guide.materials.{i}.{k}": bool(item.get(k)) for k in MATERIAL_FLAGS})
    for i, fee in enumerate(guide["fees"]):
        values.update(
            {f"guide.fees.{i}.{k}": fee.get(k) if fee.get(k) is not None else "" for k in FEE_FIELDS}
        )
    overrides = {o["division_code"]: o for o in data.get("county_overrides", [])}
    for county in counties:
        for k in COUNTY_FIELDS:
            values[f"county.{county}.{k}"] = (overrides.get(county) or {}).get(k) or ""
    n_materials, n_fees = len(guide["materials"]), len(guide["fees"])
    for i in range(n_materials, n_materials + BLANK_ROWS):
        values[f"guide.materials.{i}.required"] = True
    return EditorState(values, n_materials + BLANK_ROWS, n_fees + BLANK_ROWS)


def matter_from_form(
    base: Matter, form: Mapping[str, str], counties: list[str]
) -> tuple[Matter | None, EditorState]:
    """The edited matter, or None with every problem placed on its field."""
    values = _bounded(form)
    n_materials = _rows(values, "guide.materials.")
    n_fees = _rows(values, "guide.fees.")
    state = EditorState(dict(values), n_materials, n_fees)
    for i in range(n_materials):
        for flag in MATERIAL_FLAGS:
            state.values[f"guide.materials.{i}.{flag}"] = values.get(f"guide.materials.{i}.{flag}") == "on"
    data = base.to_json_dict()
    for key in ("name", "domain", "frequency", "legal_days", "promised_days"):
        data[key] = values.get(key, "").strip()
    data["keywords"] = _lines(values.get("keywords", ""))
    guide = data["guide"]
    for key in TEXT_FIELDS:
        text = values.get(f"guide.{key}", "").strip()
        guide[key] = text if text or key not in _OPTIONAL else None
    for key in LINE_FIELDS:
        guide[key] = _lines(values.get(f"guide.{key}", ""))
    guide["process"], bad_steps = _steps(values.get("guide.process", ""))
    if bad_steps:
        state.errors.setdefault("guide.process", []).append(
            f"第 {', '.join(map(str, bad_steps))} 行缺少“：”，应写成“环节：说明”"
        )
    hints = {m["code"]: m.get("hints") for m in guide["materials"]}
    guide["materials"], material_rows = _material_rows(values, n_materials, hints)
    guide["fees"], fee_rows = _fee_rows(values, n_fees)
    overrides, county_rows = _overrides(values, counties)
    if overrides:
        data["county_overrides"] = overrides
    else:
        data.pop("county_overrides", None)
    try:
        matter = Matter.model_validate(data)
    except ValidationError as exc:
        rows = {"guide.materials": material_rows, "guide.fees": fee_rows, "county_overrides": county_rows}
        for err in exc.errors(include_url=False):
            path = ".".join(str(p) for p in err["loc"])
            state.errors.setdefault(_field_of(path, rows), []).append(zh_message(err))
        return None, state
    if state.errors:
        return None, state
    return matter, state


_OPTIONAL = {"result_sample", "special_procedures", "fee_basis"}


def _bounded(form: Mapping[str, str]) -> dict[str, str]:
    values = {str(k): str(v) for k, v in form.items() if k != "csrf_token"}
    if len(values) > 40 * MAX_ROWS:
        raise WorkspaceError("too many form fields", "表单字段过多", status=400)
    long = [k for k, v in values.items() if len(v) > MAX_VALUE]
    if long:
        raise WorkspaceError(
            f"field {long[0]} longer than {MAX_VALUE}", f"填写内容过长（每项至多 {MAX_VALUE} 字）", status=400
        )
    return values


def _rows(values: Mapping[str, str], prefix: str) -> int:
    found = [int(m.group(2)) for k in values if (m := _INDEX.match(k)) and k.startswith(prefix)]
    count = max(found) + 1 if found else 0
    if count > MAX_ROWS:
        raise WorkspaceError("too many rows", f"至多 {MAX_ROWS} 行", status=400)
    return count


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _steps(text: str) -> tuple[list[dict[str, str]], list[int]]:
    steps, bad = [], []
    for number, line in enumerate(_lines(text), start=1):
        name, sep, description = line.replace(":", "：", 1).partition("：")
        if not sep:
            bad.append(number)
            continue
        steps.append({"name": name.strip(), "description": description.strip()})
    return steps, bad


def _material_rows(
    values: Mapping[str, str], count: int, hints: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[int]]:
    items, rows = [], []
    for i in range(count):
        get = lambda k, i=i: values.get(f"guide.materials.{i}.{k}", "").strip()  # noqa: E731
        if values.get(f"guide.materials.{i}.remove") == "on" or not (get("code") or get("name")):
            continue
        item: dict[str, Any] = {k: get(k) for k in MATERIAL_FIELDS if get(k)}
        item.update({flag: values.get(f"guide.materials.{i}.{flag}") == "on" for flag in MATERIAL_FLAGS})
        if hints.get(item.get("code")):
            item["hints"] = hints[item["code"]]
        items.append(item)
        rows.append(i)
    return items, rows


def _fee_rows(values: Mapping[str, str], count: int) -> tuple[list[dict[str, Any]], list[int]]:
    items, rows = [], []
    for i in range(count):
        fee = {k: values.get(f"guide.fees.{i}.{k}", "").strip() for k in FEE_FIELDS}
        if not (fee["item"] or fee["amount_yuan"]):
            continue
        items.append({k: v for k, v in fee.items() if v})
        rows.append(i)
    return items, rows


def _overrides(values: Mapping[str, str], counties: list[str]) -> tuple[list[dict[str, str]], list[str]]:
    items, rows = [], []
    for county in counties:
        local = {k: values.get(f"county.{county}.{k}", "").strip() for k in COUNTY_FIELDS}
        if any(local.values()):
            items.append({"division_code": county, **{k: v for k, v in local.items() if v}})
            rows.append(county)
    return items, rows


_ZH = {
    "missing": "必填",
    "string_too_short": "至少 {min_length} 个字",
    "string_too_long": "至多 {max_length} 个字",
    "too_short": "至少 {min_length} 项",
    "int_parsing": "应填整数",
    "decimal_parsing": "应填数字",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "string_pattern_mismatch": "格式不对",
    "enum": "只能选 {expected}",
}
_RULES = {
    "promised_days exceeds legal_days": "承诺时限不能超过法定时限",
    "an instant case (即办件) has promised_days 0": "即办件的承诺时限应为 0",
    "material codes repeat within the guide": "材料编码重复",
    "material names repeat within the guide": "材料名称重复",
    "a material that is not always required needs its condition": "不是必需的材料要写明需要的情形",
    "max_pages is smaller than min_pages": "最多页数小于最少页数",
    "a county has more than one override": "同一县（市、区）填了两次",
}


def zh_message(err: Mapping[str, Any]) -> str:
    """pydantic's problem in the page's language; the English kept when there is no wording."""
    template = _ZH.get(str(err.get("type")))
    if template:
        try:
            return template.format(**(err.get("ctx") or {}))
        except (KeyError, IndexError):
            return template
    message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return _RULES.get(message, message)


def _field_of(path: str, rows: dict[str, list[Any]]) -> str:
    """The form field a problem's JSON path belongs to ('' for the matter as a whole)."""
    if path in ("(root)", ""):
        return ""
    match = _INDEX.match(path)
    if match:
        kind, index, rest = match.group(1), int(match.group(2)), match.group(3).split(".")[0]
        row = rows[kind][index] if index < len(rows[kind]) else index
        if kind == "county_overrides":
            return f"county.{row}.{rest}"
        return f"{kind}.{row}.{rest}"
    parts = path.split(".")
    if parts[0] == "guide" and len(parts) > 1:
        return f"guide.{parts[1]}"
    return parts[0]


TIER_LABELS = {"high": "高频", "medium": "中频", "low": "低频"}
FORM_LABELS = {"original": "原件", "copy": "复印件", "electronic": "电子材料"}


def display_value(value: Any) -> str:
    """A diff cell: lists one item per line, objects as their words, nothing as —."""
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "\n".join(display_value(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {display_value(v)}" for k, v in value.items() if v not in (None, [], ""))
    return str(value)
