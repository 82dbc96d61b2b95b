"""The 晋城市 demo catalog is complete enough to demo to a city office: enough matters,
every guide filled in, every reference resolvable, and shipped inside the package."""

from __future__ import annotations

import ast
import glob
import re
from collections import Counter
from pathlib import Path

import pytest

from shared_schema import CaseType, Catalog, FrequencyTier, Guide, HandlingMode, MaterialKind
from shared_schema.loader import demo_catalog_dir
from shared_schema.submission import RECEIPT_NO

COUNTIES = {"140502", "140521", "140522", "140524", "140525", "140581"}
CITY = "140500"
REPO = Path(__file__).resolve().parents[2]


def test_city_and_counties(demo_catalog: Catalog) -> None:
    assert demo_catalog.version.city_code == CITY
    counties = {d.code: d.name for d in demo_catalog.divisions if d.level.value == "county"}
    assert counties == {
        "140502": "城区",
        "140521": "沁水县",
        "140522": "阳城县",
        "140524": "陵川县",
        "140525": "泽州县",
        "140581": "高平市",
    }


def test_every_county_has_villages_and_stations(demo_catalog: Catalog) -> None:
    villages = Counter(d.code[:6] for d in demo_catalog.divisions if d.level.value == "village")
    stations = Counter(s.division_code[:6] for s in demo_catalog.stations)
    for county in COUNTIES:
        assert villages[county] >= 2, county
        assert stations[county] >= 3, county


def test_every_division_parent_exists(demo_catalog: Catalog) -> None:
    codes = {d.code for d in demo_catalog.divisions}
    assert len(codes) == len(demo_catalog.divisions)
    for division in demo_catalog.divisions:
        if division.level.value != "province":
            assert division.parent_code in codes, division.code


def test_counts(demo_catalog: Catalog) -> None:
    matters = demo_catalog.matters
    assert len(matters) >= 20
    assert {m.frequency for m in matters} == set(FrequencyTier)
    assert {m.handling_mode for m in matters} == set(HandlingMode)
    assert {m.case_type for m in matters} == set(CaseType)
    assert len({m.domain for m in matters}) >= 6
    per_county = Counter(d.division_code for d in demo_catalog.departments)
    for county in COUNTIES:
        assert per_county[county] >= 6, county
    assert per_county[CITY] >= 2
    assert [d.code for d in demo_catalog.departments if d.is_triage] == ["140500-TRIAGE"]


def test_every_matter_is_handled_somewhere_it_can_be_routed(demo_catalog: Catalog) -> None:
    """Home acceptance needs a department in every county; city level one in the city;
    each entrusted department must itself handle the matter."""
    handlers: dict[str, set[str]] = {}
    for dept in demo_catalog.departments:
        for code in dept.matters:
            handlers.setdefault(code, set()).add(dept.division_code)
    for matter in demo_catalog.matters:
        where = handlers.get(matter.code, set())
        if matter.handling_mode is HandlingMode.city_level:
            assert CITY in where, matter.code
        else:
            assert where >= COUNTIES, matter.code
        for ent in matter.entrustments:
            for code in [ent.department, *ent.on_behalf_of]:
                assert matter.code in demo_catalog.department(code).matters, (matter.code, code)
            assert ent.department not in ent.on_behalf_of


def test_entrusted_matters_cover_every_county(demo_catalog: Catalog) -> None:
    for matter in demo_catalog.matters:
        if matter.handling_mode is HandlingMode.entrusted_approval:
            entrusted = {demo_catalog.department(e.department).division_code for e in matter.entrustments}
            assert entrusted >= COUNTIES, matter.code


OPTIONAL_ELEMENTS = {"fees", "fee_basis", "result_sample", "special_procedures", "faq"}


@pytest.mark.parametrize("field", [name for name in Guide.model_fields if name not in OPTIONAL_ELEMENTS])
def test_every_guide_element_is_filled(demo_catalog: Catalog, field: str) -> None:
    """Empty fees mean 不收费 and faq may be empty; every other element must be filled."""
    for matter in demo_catalog.matters:
        assert getattr(matter.guide, field), f"{matter.code}: guide.{field} is empty"


def test_fees_have_a_basis(demo_catalog: Catalog) -> None:
    charged = [m for m in demo_catalog.matters if m.guide.fees]
    assert charged, "at least one demo matter charges a fee"
    for matter in charged:
        assert matter.guide.fee_basis and all(fee.basis for fee in matter.guide.fees), matter.code


def test_materials_carry_scanner_hints(demo_catalog: Catalog) -> None:
    kinds: set[MaterialKind] = set()
    for matter in demo_catalog.matters:
        materials = matter.guide.materials
        assert materials, matter.code
        assert any(m.required for m in materials), matter.code
        for item in materials:
            hints = item.hints
            kinds.add(hints.kind)
            if hints.kind is MaterialKind.photo:
                assert hints.page_size == "photo" and hints.colour, (matter.code, item.code)
            else:  # a bare photo has no text; everything else is told apart by its words
                assert hints.keywords or hints.any_keywords, (matter.code, item.code)
            if hints.kind in {MaterialKind.id_card_front, MaterialKind.id_card_back}:
                assert hints.page_size == "id_card", (matter.code, item.code)
            if hints.kind is MaterialKind.id_card_front:
                assert "id_number" in hints.fields, (matter.code, item.code)
            if hints.kind is MaterialKind.business_licence:
                assert "uscc" in hints.fields, (matter.code, item.code)
            if not item.required:
                assert item.condition.startswith("是否") or "是否" in item.condition, item.condition
                assert item.condition.endswith("？"), item.condition
    assert kinds == set(MaterialKind), "every material kind appears in the demo"


def test_conditional_materials_share_one_question(demo_catalog: Catalog) -> None:
    """The same yes/no question is asked once: materials with one condition go together."""
    questions = Counter(
        m.condition for matter in demo_catalog.matters for m in matter.guide.materials if not m.required
    )
    assert questions["是否由他人代办？"] >= 4


def test_station_codes_fit_receipt_numbers(demo_catalog: Catalog) -> None:
    codes = [s.code for s in demo_catalog.stations]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.match(RECEIPT_NO, f"{code}-K01-20240603-0001"), code


def test_process_mentions_the_standard_forms(demo_catalog: Catalog) -> None:
    for matter in demo_catalog.matters:
        text = "".join(step.description for step in matter.guide.process)
        assert "申请材料接收通知书" in text, matter.code
        assert [s.name for s in matter.guide.process][-1] == "送达", matter.code


def _package_data_patterns() -> list[str]:
    tree = ast.parse((REPO / "setup.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "package_data":
            data = ast.literal_eval(node.value)
            return data["shared_schema"]
    raise AssertionError("setup.py has no package_data")


def test_setup_py_ships_every_catalog_file() -> None:
    """A non-editable install must carry the data: each file matches a package_data glob."""
    package = REPO / "shared_schema"
    shipped = {
        Path(p)
        for pattern in _package_data_patterns()
        for p in glob.glob(pattern, root_dir=package, recursive=True)
    }
    on_disk = {p.relative_to(package) for p in (package / "data").rglob("*") if p.is_file()}
    assert on_disk, "no data files found"
    assert on_disk <= shipped, sorted(str(p) for p in on_disk - shipped)


def test_demo_catalog_dir_is_inside_the_package() -> None:
    folder = demo_catalog_dir()
    assert (folder / "catalog.yaml").is_file()
    assert (folder / "divisions.csv").is_file()
    assert len(list((folder / "matters").glob("*.yaml"))) >= 20
