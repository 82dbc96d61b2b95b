"""The 分级规则 form ⇄ :class:`TierRules`, the review cycle and the next due date.

What the city administrator typed is checked whole (the same ``TierRules`` model the CLI
uses, so the two can never disagree): every problem is placed beside its field in Chinese
and what was typed stays, nothing is saved until all is right.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from .. import catalog_tiers as tiers
from .. import tier_review
from .catalog_form import zh_message

NUMBER_FIELDS = ("window_days", "high_min", "medium_min", "high_pct", "medium_pct", "drop_max", "add_min")
FIELDS = ("method", *NUMBER_FIELDS, "by_domain", "cycle_months", "due")
MAX_VALUE = 40  # no honest number or date is longer
# the rules across fields, on the field a person would correct
_ACROSS = {
    "medium_min must not exceed high_min": ("medium_min", "中频下限不能高于高频下限"),
    "medium_pct must not exceed high_pct": ("medium_pct", "中频百分位不能高于高频百分位"),
}
_TYPES = {  # pydantic's problems catalog_form has no words for
    "literal_error": "请选择按办件量或按百分位",
    "float_parsing": "应填数字",
    "int_from_float": "应填整数",
    "extra_forbidden": "不认识的规则",
}


@dataclass
class RulesForm:
    """What the template shows: each field's text and the problems found, by field name."""

    values: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, problem: str) -> None:
        self.errors.setdefault(name, []).append(problem)


@dataclass(frozen=True)
class RulesChange:
    rules: tiers.TierRules
    cycle_months: int
    due: date | None  # None: from the cycle


def form_of(rules: tiers.TierRules, cycle_months: int, due: date | None) -> RulesForm:
    values: dict[str, Any] = {k: v for k, v in rules.model_dump().items() if k in FIELDS}
    values["drop_max"] = "" if rules.drop_max is None else rules.drop_max
    values.update(cycle_months=cycle_months, due=due.isoformat() if due else "")
    return RulesForm(values)


def read(form: Mapping[str, str], today: date) -> tuple[RulesChange | None, RulesForm]:
    """The change asked for, or None with every problem placed on its field."""
    values = {k: str(form.get(k, "")).strip()[:MAX_VALUE] for k in FIELDS}
    values["by_domain"] = form.get("by_domain") == "on"
    state = RulesForm(dict(values))
    data: dict[str, Any] = {k: values[k] for k in ("method", *NUMBER_FIELDS) if values[k] != ""}
    data["by_domain"] = values["by_domain"]
    rules = None
    try:
        rules = tiers.TierRules.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            message = str(err.get("msg", "")).removeprefix("Value error, ")
            if message in _ACROSS:
                state.add(*_ACROSS[message])
            else:
                words = _TYPES.get(str(err.get("type"))) or zh_message(err)
                state.add(str(err["loc"][0]) if err["loc"] else "", words)
    cycle = _cycle(values["cycle_months"], state)
    due = _due(values["due"], today, state)
    if rules is None or state.errors or cycle is None:
        return None, state
    return RulesChange(rules, cycle, due), state


def _cycle(text: str, state: RulesForm) -> int | None:
    if not text.isdigit() or not tier_review.MIN_CYCLE <= int(text) <= tier_review.MAX_CYCLE:
        state.add("cycle_months", f"应为 {tier_review.MIN_CYCLE}–{tier_review.MAX_CYCLE} 的整数（月）")
        return None
    return int(text)


def _due(text: str, today: date, state: RulesForm) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        state.add("due", "日期格式应为 2026-03-31")
        return None
    if not today <= day <= tier_review.add_months(today, tier_review.MAX_CYCLE):
        state.add("due", "截止日期应在今天到 24 个月之内")
        return None
    return day
