"""Frequency tiers from the handling data (standard 5.2, 5.3).

The catalog starts with the high-frequency matters and grows from what residents actually
ask for. This module is the arithmetic only: given the number of cases per matter in a
window and the rules (:class:`TierRules`), it says which tier each matter's data puts it
in and which changes to propose (promote, demote, drop from the catalog, add a matter that
left it). Reading the counts and keeping the proposals is ``tier_review.py``.

Rules, both documented in docs/catalog-data.md:

- ``count``: ``high_min`` cases or more in the window is high, ``medium_min`` or more is
  medium, fewer is low.
- ``percentile``: a matter's percent rank is the share (0–100) of the *other* catalog
  matters (in its domain when ``by_domain``) that had fewer cases (SQL ``PERCENT_RANK``);
  ``high_pct`` or more is high, ``medium_pct`` or more is medium. A matter alone in its
  group ranks 100.

A catalog matter with at most ``drop_max`` cases is proposed for dropping (``None``: never);
a matter outside the catalog (it left it, or an offline kiosk still runs a version that has
it) with at least ``add_min`` cases is proposed for adding back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared_schema import FrequencyTier
from shared_schema.workcalendar import CHINA_TZ

ORDER = {FrequencyTier.low: 0, FrequencyTier.medium: 1, FrequencyTier.high: 2}
PROMOTE, DEMOTE, DROP, ADD = "promote", "demote", "drop", "add"
KIND_LABELS = {PROMOTE: "升档", DEMOTE: "降档", DROP: "移出清单", ADD: "纳入清单"}
MAX_WINDOW_DAYS = 731
MAX_COUNT = 10_000_000


class TierRules(BaseModel):
    """How the handling data make a tier; stored with every review so it can be re-read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["count", "percentile"] = "percentile"
    window_days: int = Field(90, ge=1, le=MAX_WINDOW_DAYS)
    high_min: int = Field(100, ge=1, le=MAX_COUNT)
    medium_min: int = Field(20, ge=1, le=MAX_COUNT)
    high_pct: float = Field(80.0, ge=0, le=100)
    medium_pct: float = Field(40.0, ge=0, le=100)
    by_domain: bool = False
    drop_max: int | None = Field(None, ge=0, le=MAX_COUNT)
    add_min: int = Field(20, ge=1, le=MAX_COUNT)

    @model_validator(mode="after")
    def _ordered(self) -> TierRules:
        if self.method == "count" and self.medium_min > self.high_min:
            raise ValueError("medium_min must not exceed high_min")
        if self.method == "percentile" and self.medium_pct > self.high_pct:
            raise ValueError("medium_pct must not exceed high_pct")
        return self


@dataclass(frozen=True)
class Window:
    """The ``days`` whole local (China) days before ``as_of``; ``as_of`` itself is not in it."""

    start: datetime
    end: datetime

    @classmethod
    def before(cls, as_of: date, days: int) -> Window:
        end = datetime(as_of.year, as_of.month, as_of.day, tzinfo=CHINA_TZ)
        return cls(end - timedelta(days=days), end)

    def label(self) -> str:
        return f"{self.start.date().isoformat()} – {(self.end - timedelta(days=1)).date().isoformat()}"


@dataclass(frozen=True)
class MatterTier:
    """One matter as the data see it: what the catalog says, what the data say."""

    code: str
    name: str
    domain: str
    cases: int
    current: FrequencyTier | None  # None: not in the catalog
    computed: FrequencyTier
    rank_pct: float | None  # percentile rule only

    @property
    def change(self) -> str | None:
        return None if self.current is None else _direction(self.current, self.computed)


@dataclass(frozen=True)
class Proposal:
    code: str
    name: str
    domain: str
    kind: str
    cases: int
    current: FrequencyTier | None
    proposed: FrequencyTier | None  # None: drop


@dataclass(frozen=True)
class Known:
    """A matter the counts may name: its name, domain and (if in the catalog) tier."""

    name: str
    domain: str
    tier: FrequencyTier | None


def _direction(current: FrequencyTier, computed: FrequencyTier) -> str | None:
    if ORDER[computed] > ORDER[current]:
        return PROMOTE
    if ORDER[computed] < ORDER[current]:
        return DEMOTE
    return None


def percent_rank(value: int, others: Sequence[int]) -> float:
    """The share of ``others`` below ``value``, 0–100; alone in its group: 100."""
    if not others:
        return 100.0
    return 100.0 * sum(1 for other in others if other < value) / len(others)


def tier_by_count(cases: int, rules: TierRules) -> FrequencyTier:
    if cases >= rules.high_min:
        return FrequencyTier.high
    if cases >= rules.medium_min:
        return FrequencyTier.medium
    return FrequencyTier.low


def tier_by_pct(pct: float, rules: TierRules) -> FrequencyTier:
    if pct >= rules.high_pct:
        return FrequencyTier.high
    if pct >= rules.medium_pct:
        return FrequencyTier.medium
    return FrequencyTier.low


def compute(known: Mapping[str, Known], counts: Mapping[str, int], rules: TierRules) -> list[MatterTier]:
    """Every catalog matter, and every other known matter with cases, with its computed tier.

    A catalog matter without cases counts 0; counts for codes not in ``known`` are ignored
    (there is nothing to name them by)."""
    in_catalog = {code: k for code, k in known.items() if k.tier is not None}

    def group(code: str) -> list[int]:
        domain = known[code].domain
        return [
            counts.get(other, 0)
            for other, k in in_catalog.items()
            if other != code and (not rules.by_domain or k.domain == domain)
        ]

    rows = []
    for code, k in sorted(known.items()):
        cases = counts.get(code, 0)
        if k.tier is None and cases == 0:
            continue
        pct = percent_rank(cases, group(code)) if rules.method == "percentile" else None
        computed = tier_by_pct(pct, rules) if pct is not None else tier_by_count(cases, rules)
        rows.append(MatterTier(code, k.name, k.domain, cases, k.tier, computed, pct))
    return rows


def propose(rows: Sequence[MatterTier], rules: TierRules) -> list[Proposal]:
    """The changes the data argue for; a matter the data leave where it is gets none."""
    proposals = []
    for row in rows:
        if row.current is None:
            if row.cases >= rules.add_min:
                proposals.append(_proposal(row, ADD, row.computed))
        elif rules.drop_max is not None and row.cases <= rules.drop_max:
            proposals.append(_proposal(row, DROP, None))
        elif row.change is not None:
            proposals.append(_proposal(row, row.change, row.computed))
    return proposals


def _proposal(row: MatterTier, kind: str, proposed: FrequencyTier | None) -> Proposal:
    return Proposal(row.code, row.name, row.domain, kind, row.cases, row.current, proposed)
