"""The JSON Schema export (``tongban schema export``) describes the data we really ship:
the demo catalog validates against it, and broken data does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from shared_schema import Catalog
from shared_schema.export import EXPORTED
from tongban_cli.main import cli

from . import conftest as f


@pytest.fixture(scope="module")
def schema_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("schemas")
    result = CliRunner().invoke(cli, ["schema", "export", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    written = json.loads(result.output)
    assert len(written) == len(EXPORTED)
    return folder


def _validator(schema_dir: Path, name: str) -> Draft202012Validator:
    schema = json.loads((schema_dir / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_one_file_per_model(schema_dir: Path) -> None:
    names = sorted(p.name for p in schema_dir.iterdir())
    assert names == sorted(f"{m.__name__}.schema.json" for m in EXPORTED)


def test_demo_catalog_validates(schema_dir: Path, demo_catalog: Catalog) -> None:
    validator = _validator(schema_dir, "Catalog")
    errors = list(validator.iter_errors(demo_catalog.to_json_dict()))
    assert errors == []


def test_each_demo_matter_validates(schema_dir: Path, demo_catalog: Catalog) -> None:
    validator = _validator(schema_dir, "Matter")
    for matter in demo_catalog.matters:
        assert list(validator.iter_errors(matter.to_json_dict())) == [], matter.code


def test_submission_forms_validate(schema_dir: Path) -> None:
    samples = {
        "SubmissionManifest": f.manifest(),
        "ReceiptNotice": f.receipt_notice(),
        "TransferSlip": f.transfer_slip(),
        "LedgerEntry": f.ledger_entry(),
        "FlowCard": f.flow_card(),
        "Evaluation": f.evaluation(),
        "StatusEvent": f.status_event(),
    }
    for name, sample in samples.items():
        assert list(_validator(schema_dir, name).iter_errors(sample.to_json_dict())) == [], name


def test_schema_rejects_broken_matter(schema_dir: Path, demo_catalog: Catalog) -> None:
    body = demo_catalog.matter("JC-RS-001").to_json_dict()
    body["frequency"] = "sometimes"
    body["guide"]["materials"][0]["hints"]["kind"] = "passport"
    body["guide"]["materials"][0]["shoe_size"] = 42
    del body["guide"]["basis"]
    errors = list(_validator(schema_dir, "Matter").iter_errors(body))
    assert len(errors) >= 4


def test_schema_rejects_bad_manifest(schema_dir: Path) -> None:
    body = f.manifest().to_json_dict()
    body["receipt_no"] = "not a receipt"
    body["materials"][0]["pages"][0]["sha256"] = "XYZ"
    errors = list(_validator(schema_dir, "SubmissionManifest").iter_errors(body))
    assert {tuple(e.absolute_path)[:1] for e in errors} == {("receipt_no",), ("materials",)}


def test_schemas_carry_protocol_version(schema_dir: Path) -> None:
    from shared_schema import PROTOCOL_VERSION

    schema = json.loads((schema_dir / "Catalog.schema.json").read_text(encoding="utf-8"))
    assert f"/{PROTOCOL_VERSION}/" in schema["$id"]
