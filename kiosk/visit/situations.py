"""Life situations (生活情境) for the home screen's tiles: the catalog's domains and a few
matter words mapped, in one table, onto the situations a resident thinks in.

"我要办社保", "我是老年人", "我要开个小店": an older resident does not know which
department or business area a matter belongs to, but knows their situation. A matter may
sit in more than one tile (高龄津贴 is 民政 and concerns 老年人); a matter no tile takes
lands in 其他事项, so every matter stays reachable.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared_schema import FrequencyTier, Matter


@dataclass(frozen=True)
class Situation:
    key: str
    label: str  # msgid (English), shown translated
    examples: str  # msgid: what it holds, in the resident's words
    icon: str  # a pictogram of ``kiosk.ui.pictograms``
    domains: tuple[str, ...] = ()  # catalog domains it takes whole
    words: tuple[str, ...] = ()  # and matters whose name holds one of these


SITUATIONS: tuple[Situation, ...] = (
    Situation("social", "Pensions and jobs", "Pension, social security card", "shield", ("社保",)),
    Situation("medical", "Medical insurance", "Insurance, treatment elsewhere", "cross", ("医保",)),
    Situation("identity", "ID card and hukou", "ID card, hukou, certificates", "card", ("户政",)),
    Situation(
        "elderly", "Older people", "Old-age allowance, pension", "elder", words=("高龄", "养老", "退休")
    ),
    Situation("disabled", "People with disabilities", "Disability allowances", "wheelchair", words=("残疾",)),
    Situation("business", "Running a business", "Small shop, food licence", "shop", ("市场监管",)),
    Situation("housing", "Housing", "Housing fund, property", "house", ("公积金", "不动产")),
    Situation("family", "Births and family", "Birth registration", "family", ("卫健",)),
    Situation("hardship", "Hard times", "Subsistence allowance, aid", "heart", ("民政",)),
)
OTHER = Situation("other", "Other matters", "Everything else", "dots")
TIER_RANK = {tier: i for i, tier in enumerate(FrequencyTier)}  # high, medium, low


def takes(situation: Situation, matter: Matter) -> bool:
    return matter.domain in situation.domains or any(w in matter.name for w in situation.words)


def by_frequency(matters: list[Matter]) -> list[Matter]:
    """High-frequency matters first (the standard's tiers), then by code."""
    return sorted(matters, key=lambda m: (TIER_RANK[m.frequency], m.code))


def situations(matters: list[Matter]) -> list[tuple[Situation, list[Matter]]]:
    """The tiles to show, in the table's order, each with its matters (high-frequency
    first); tiles with no matter are left out, and 其他事项 holds what no tile takes."""
    tiles = [(s, by_frequency([m for m in matters if takes(s, m)])) for s in SITUATIONS]
    rest = [m for m in matters if not any(takes(s, m) for s in SITUATIONS)]
    if rest:
        tiles.append((OTHER, by_frequency(rest)))
    return [(s, found) for s, found in tiles if found]
