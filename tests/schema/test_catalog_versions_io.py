"""Catalog diff, county overrides (6.3) and the workbook/JSON round trip with positioned errors."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

import openpyxl
import pytest

from shared_schema import Catalog, SchemaError, load_catalog
from shared_schema.catalog import catalog_json_for_format
from shared_schema.catalog_diff import diff_catalogs
from shared_schema.catalog_sheets import (
    CatalogSheetError,
    catalog_from_file,
    catalog_from_xlsx,
    catalog_to_json,
    catalog_to_xlsx,
)


@cache
def demo() -> Catalog:
    return load_catalog()


def _edit(catalog: Catalog, code: str, **guide: Any) -> Catalog:
    data = catalog.to_json_dict()
    for matter in data["matters"]:
        if matter["code"] == code:
            matter["guide"].update(guide)
    return Catalog.parse(data)


def _county(catalog: Catalog) -> str:
    return next(d.code for d in catalog.divisions if d.level.value == "county")


def test_diff_names_added_removed_and_each_changed_guide_element() -> None:
    old = demo()
    first, second = old.matters[0], old.matters[1]
    data = _edit(old, first.code, hours="全天", basis=["新依据"]).to_json_dict()
    material = data["matters"][0]["guide"]["materials"][0]
    material["copies"] = material["copies"] + 1
    data["matters"] = [m for m in data["matters"] if m["code"] != second.code]
    for dept in data["departments"]:
        dept["matters"] = [c for c in dept["matters"] if c != second.code]
    new = Catalog.parse(data)
    found = diff_catalogs(old, new)
    assert found.removed == [(second.code, second.name)] and found.added == []
    assert [c.code for c in found.changed] == [first.code]
    paths = {c.path: c for c in found.changed[0].changes}
    assert set(paths) == {"guide.hours", "guide.basis", f"guide.materials[{material['code']}].copies"}
    assert paths["guide.hours"].label == "办理时间" and paths["guide.hours"].new == "全天"
    assert found.places_changed == ["部门"]
    back = diff_catalogs(new, old)
    assert back.added == [(second.code, second.name)] and not back.removed
    assert diff_catalogs(old, old).empty


def test_county_override_changes_only_address_phone_hours() -> None:
    data = demo().to_json_dict()
    county = _county(demo())
    data["matters"][0]["county_overrides"] = [{"division_code": county, "hours": "周一至周六 9:00-17:00"}]
    catalog = Catalog.parse(data)
    matter = catalog.matters[0]
    assert matter.guide_for(county).hours == "周一至周六 9:00-17:00"
    assert matter.guide_for(county).location == matter.guide.location  # not overridden: the city's
    assert matter.guide_for("999999") == matter.guide
    data["matters"][0]["county_overrides"] = [{"division_code": county, "fees": []}]
    with pytest.raises(SchemaError) as bad:
        Catalog.parse(data)
    assert any("fees" in p.path for p in bad.value.problems)  # nothing else is overridable
    data["matters"][0]["county_overrides"] = [{"division_code": "140599", "phone": None}]
    with pytest.raises(SchemaError):
        Catalog.parse(data)
    data["matters"][0]["county_overrides"] = [
        {"division_code": demo().version.city_code, "hours": "全天开放"}
    ]  # the city itself
    with pytest.raises(SchemaError, match="not a county"):
        Catalog.parse(data)


def test_overrides_are_left_out_for_older_kiosks_and_when_empty() -> None:
    assert "county_overrides" not in demo().to_json_dict()["matters"][0]
    data = demo().to_json_dict()
    data["matters"][0]["county_overrides"] = [{"division_code": _county(demo()), "hours": "全天开放"}]
    assert "county_overrides" not in catalog_json_for_format(data, 3)["matters"][0]
    assert "county_overrides" in catalog_json_for_format(data, 4)["matters"][0]


def test_workbook_and_json_round_trip() -> None:
    data = demo().to_json_dict()
    data["matters"][0]["county_overrides"] = [{"division_code": _county(demo()), "location": "某县政务大厅"}]
    catalog = Catalog.parse({**data, "holidays": []})
    assert catalog_from_xlsx(catalog_to_xlsx(catalog)) == catalog
    assert catalog_from_file(catalog_to_json(catalog), "c.json") == catalog


def _sheet_cell(book: Any, sheet: str, key: str, row: int = 3) -> Any:
    ws = book[sheet]
    column = next(c.column for c in ws[1] if c.value == key)
    return ws.cell(row, column)


def test_a_bad_workbook_gets_every_error_with_sheet_row_and_column() -> None:
    book = openpyxl.load_workbook(io.BytesIO(catalog_to_xlsx(demo())))
    _sheet_cell(book, "事项", "name", 3).value = None  # required
    _sheet_cell(book, "事项", "guide.hours", 5).value = "x"  # too short
    _sheet_cell(book, "材料", "copies", 4).value = "两份"  # not a number
    _sheet_cell(book, "材料", "hints", 6).value = "{oops"  # not JSON
    _sheet_cell(book, "流程", "matter_code", 3).value = "NO-SUCH-1"  # no such matter
    book["部门"].cell(1, 30).value = "colour"  # unknown column
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(CatalogSheetError) as bad:
        catalog_from_xlsx(out.getvalue())
    where = {(p.sheet, p.row, p.column, p.key) for p in bad.value.problems}
    assert ("事项", 3, "B", "name") in where
    assert any(s == "事项" and r == 5 and k == "guide.hours" for s, r, _, k in where)
    assert any(s == "材料" and r == 4 and k == "copies" for s, r, _, k in where)
    assert any(s == "材料" and r == 6 and k == "hints" for s, r, _, k in where)
    assert ("流程", 3, "A", "matter_code") in where
    assert ("部门", 1, "AD", "colour") in where
    assert len(bad.value.problems) == 6, bad.value
    assert "材料!" in str(bad.value)


def test_references_across_sheets_are_placed_on_their_row() -> None:
    book = openpyxl.load_workbook(io.BytesIO(catalog_to_xlsx(demo())))
    cell = _sheet_cell(book, "部门", "matters", 4)
    cell.value = (cell.value or "") + "\nJC-ZZ-999"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(CatalogSheetError) as bad:
        catalog_from_xlsx(out.getvalue())
    assert [(p.sheet, p.row, p.key) for p in bad.value.problems] == [("部门", 4, "matters")]


def test_not_a_workbook_is_refused_plainly() -> None:
    with pytest.raises(CatalogSheetError, match="not an XLSX workbook"):
        catalog_from_xlsx(b"PK\x03\x04 not really")
    with pytest.raises(SchemaError):
        catalog_from_file(b'{"version": 1}', "c.json")


def test_a_station_shows_its_county_s_address_phone_and_hours() -> None:
    catalog = demo()
    station = next(s for s in catalog.stations if len(s.division_code) > 6)  # a township's
    county = catalog.county_of(station.division_code)
    assert county and catalog.division(county).level.value == "county"
    data = catalog.to_json_dict()
    data["matters"][0]["county_overrides"] = [{"division_code": county, "consultation_phone": "0356-1234567"}]
    local_catalog = Catalog.parse(data)
    matter = local_catalog.matters[0]
    here = local_catalog.local_matter(matter, station.code)
    assert here.guide.consultation_phone == "0356-1234567" and here.guide.hours == matter.guide.hours
    elsewhere = next(s for s in catalog.stations if catalog.county_of(s.division_code) not in (county, None))
    assert local_catalog.local_matter(matter, elsewhere.code) is matter
    assert catalog.county_of(catalog.version.city_code) is None
