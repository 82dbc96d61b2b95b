"""Bad catalog data gives one error that names the file, the record and the field, and
lists every problem at once (一次性告知 for whoever edits the catalog)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared_schema import SchemaError, load_catalog


def _edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _load_error(folder: Path) -> SchemaError:
    with pytest.raises(SchemaError) as info:
        load_catalog(folder)
    return info.value


def test_copy_of_demo_catalog_loads(catalog_copy: Path) -> None:
    assert len(load_catalog(catalog_copy).matters) >= 20


def test_bad_matter_names_file_matter_and_every_field(catalog_copy: Path) -> None:
    def break_matter(data: dict) -> None:
        data["frequency"] = "sometimes"
        data["legal_days"] = -1
        del data["guide"]["basis"]
        data["guide"]["materials"][0]["hints"]["kind"] = "passport"
        data["guide"]["materials"][1]["copies"] = 0

    _edit_yaml(catalog_copy / "matters" / "JC-RS-001.yaml", break_matter)
    error = _load_error(catalog_copy)
    text = str(error)
    assert "JC-RS-001.yaml" in text and "matter JC-RS-001" in text
    for field in ("frequency", "legal_days", "guide.basis", "guide.materials.0.hints.kind", "copies"):
        assert field in text, field
    assert len(error.problems) == 5
    assert error.to_dict()["problems"][0]["path"].startswith("JC-RS-001.yaml")


def test_problems_in_several_files_are_reported_together(catalog_copy: Path) -> None:
    _edit_yaml(catalog_copy / "matters" / "JC-GA-001.yaml", lambda d: d.update(case_type="later"))
    _edit_yaml(catalog_copy / "matters" / "JC-YB-002.yaml", lambda d: d["guide"].update(hours=""))
    text = str(_load_error(catalog_copy))
    assert "JC-GA-001.yaml" in text and "case_type" in text
    assert "JC-YB-002.yaml" in text and "guide.hours" in text


def test_rule_across_fields_names_the_matter(catalog_copy: Path) -> None:
    _edit_yaml(catalog_copy / "matters" / "JC-SC-002.yaml", lambda d: d.update(promised_days=30))
    text = str(_load_error(catalog_copy))
    assert "JC-SC-002" in text and "promised_days exceeds legal_days" in text


def test_conditional_material_without_condition(catalog_copy: Path) -> None:
    def drop_condition(data: dict) -> None:
        for item in data["guide"]["materials"]:
            if not item.get("required", True):
                del item["condition"]

    _edit_yaml(catalog_copy / "matters" / "JC-RS-002.yaml", drop_condition)
    text = str(_load_error(catalog_copy))
    assert "JC-RS-002.yaml" in text and "needs its condition" in text
    assert "guide.materials.3" in text  # the photo, first conditional material


def test_file_that_is_not_yaml(catalog_copy: Path) -> None:
    (catalog_copy / "matters" / "JC-MZ-002.yaml").write_text("code: [JC-MZ-002\nname: 高龄", encoding="utf-8")
    text = str(_load_error(catalog_copy))
    assert "JC-MZ-002.yaml" in text and "not valid YAML" in text


def test_bad_yaml_in_departments_file(catalog_copy: Path) -> None:
    (catalog_copy / "departments.yaml").write_text("- code: 140502-RS\n  name: [", encoding="utf-8")
    error = _load_error(catalog_copy)
    assert error.source.endswith("departments.yaml")
    assert "not valid YAML" in str(error)


def test_bad_department_record_is_named(catalog_copy: Path) -> None:
    def break_department(data: list) -> None:
        data[3]["division_code"] = "1405"
        data[5]["name"] = ""

    _edit_yaml(catalog_copy / "departments.yaml", break_department)
    error = _load_error(catalog_copy)
    text = str(error)
    assert "departments.yaml" in text
    assert "department 140502-MZ: division_code" in text
    assert "department 140502-BDC: name" in text


def test_bad_division_line_is_named(catalog_copy: Path) -> None:
    path = catalog_copy / "divisions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = '140521,"沁水县",village,140500'  # a county code claimed as a village
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = str(_load_error(catalog_copy))
    assert "divisions.csv" in text and "line 4" in text and "wrong length" in text


def test_unknown_department_in_entrustment(catalog_copy: Path) -> None:
    def entrust_unknown(data: dict) -> None:
        data["entrustments"][0]["department"] = "140599-XZSP"
        data["entrustments"][1]["on_behalf_of"].append("140502-NOPE")

    _edit_yaml(catalog_copy / "matters" / "JC-SC-001.yaml", entrust_unknown)
    text = str(_load_error(catalog_copy))
    assert "matter JC-SC-001: unknown department 140599-XZSP" in text
    assert "matter JC-SC-001: unknown department 140502-NOPE" in text


def test_department_naming_unknown_matter_and_station_unknown_division(catalog_copy: Path) -> None:
    _edit_yaml(catalog_copy / "departments.yaml", lambda d: d[0]["matters"].append("JC-XX-999"))
    _edit_yaml(catalog_copy / "stations.yaml", lambda d: d[1].update(division_code="140525199"))
    text = str(_load_error(catalog_copy))
    assert "department 140502-RS: unknown matter JC-XX-999" in text
    assert "station CQ0100: unknown division 140525199" in text


def test_repeated_matter_code(catalog_copy: Path) -> None:
    source = catalog_copy / "matters" / "JC-RS-001.yaml"
    (catalog_copy / "matters" / "JC-RS-001-copy.yaml").write_text(source.read_text(encoding="utf-8"))
    assert "matter codes repeat" in str(_load_error(catalog_copy))


def test_empty_matters_folder(catalog_copy: Path) -> None:
    for path in (catalog_copy / "matters").glob("*.yaml"):
        path.unlink()
    assert "no matter files" in str(_load_error(catalog_copy))


def test_missing_catalog_file(catalog_copy: Path) -> None:
    (catalog_copy / "catalog.yaml").unlink()
    error = _load_error(catalog_copy)
    assert error.source.endswith("catalog.yaml") and "file not found" in str(error)


def test_bad_field_and_bad_reference_reported_in_one_run(catalog_copy: Path) -> None:
    """A catalog editor fixes everything after one run, not one kind of mistake per run."""
    _edit_yaml(catalog_copy / "matters" / "JC-RS-001.yaml", lambda d: d.update(frequency="often"))

    def entrust_unknown(data: dict) -> None:
        data["entrustments"][0]["department"] = "140599-XZSP"

    _edit_yaml(catalog_copy / "matters" / "JC-SC-001.yaml", entrust_unknown)
    error = _load_error(catalog_copy)
    paths = [p.path for p in error.problems]
    assert any("JC-RS-001.yaml" in p and p.endswith("frequency") for p in paths)
    assert any("unknown department 140599-XZSP" in p.message for p in error.problems)
    # the matter that failed to parse is not also reported as "unknown" by its departments
    assert not any("unknown matter JC-RS-001" in p.message for p in error.problems)
