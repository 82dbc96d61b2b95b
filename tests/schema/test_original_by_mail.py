"""``MaterialRequirement.original_by_mail``: additive, and absent from the JSON when false.

Kiosks of earlier releases parse the catalog with ``extra="forbid"``; a catalog that marks
no original must serialise exactly as before, so only the marked materials carry the key.
"""

from __future__ import annotations

import json

from shared_schema import Catalog, load_catalog
from shared_schema.catalog import MaterialRequirement
from shared_schema.loader import demo_catalog_dir


def test_unmarked_materials_serialise_as_before():
    plain = MaterialRequirement(code="id_card", name="居民身份证", source="申请人自备")
    data = plain.to_json_dict()
    assert "original_by_mail" not in data and "original_by_mail" not in plain.model_dump_json()
    marked = MaterialRequirement(code="hukou", name="户口簿", source="公安机关", original_by_mail=True)
    assert marked.to_json_dict()["original_by_mail"] is True
    assert MaterialRequirement.model_validate_json(marked.model_dump_json()).original_by_mail
    assert not MaterialRequirement.model_validate(data).original_by_mail


def test_demo_catalog_marks_the_mailed_originals():
    catalog = load_catalog(demo_catalog_dir())
    marked = {(m.code, r.code) for m in catalog.matters for r in m.guide.materials if r.original_by_mail}
    assert marked == {
        ("JC-GA-002", "household_register"),  # 户口簿原件随转办单寄送
        ("JC-SC-003", "business_licence"),
        ("JC-SC-004", "business_licence"),
    }
    body = json.dumps(catalog.to_json_dict(), ensure_ascii=False)
    assert body.count('"original_by_mail"') == 3
    assert Catalog.model_validate_json(body) == catalog
