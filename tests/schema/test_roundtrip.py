"""Every exported model survives JSON and back unchanged: what the kiosk writes, the
server reads (and a non-Python client sees the same shape)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from shared_schema import (
    Applicant,
    Catalog,
    Department,
    Division,
    Evaluation,
    FlowCard,
    Guide,
    Kiosk,
    LedgerEntry,
    MaterialRequirement,
    Matter,
    ReceiptNotice,
    SchemaError,
    Station,
    StatusEvent,
    SubmissionManifest,
    TransferSlip,
)
from shared_schema.base import SchemaModel
from shared_schema.export import EXPORTED
from shared_schema.holidays import HolidayTable, example_table_path, load_holiday_table

from . import conftest as f

# Model -> builder taking the demo catalog. A model added to EXPORTED without a builder
# here fails test_every_exported_model_has_a_builder.
BUILDERS: dict[type[SchemaModel], Callable[[Catalog], SchemaModel]] = {
    Catalog: lambda c: c,
    Matter: lambda c: c.matter("JC-SC-002"),
    Guide: lambda c: c.matter("JC-GA-001").guide,
    MaterialRequirement: lambda c: c.matter("JC-RS-002").guide.material("photo"),
    Division: lambda c: c.division("140525113205"),
    Department: lambda c: c.department("140500-TRIAGE"),
    Station: lambda c: c.station("ZZ1305"),
    Kiosk: lambda c: f.kiosk(),
    Applicant: lambda c: f.enterprise_applicant(),
    SubmissionManifest: lambda c: f.manifest(),
    StatusEvent: lambda c: f.status_event(),
    ReceiptNotice: lambda c: f.receipt_notice(),
    TransferSlip: lambda c: f.transfer_slip(),
    LedgerEntry: lambda c: f.ledger_entry(),
    FlowCard: lambda c: f.flow_card(),
    Evaluation: lambda c: f.evaluation(),
    HolidayTable: lambda c: load_holiday_table(example_table_path(2027)),
}


def test_every_exported_model_has_a_builder() -> None:
    assert set(BUILDERS) == set(EXPORTED)


@pytest.mark.parametrize("model", EXPORTED, ids=lambda m: m.__name__)
def test_json_round_trip(model: type[SchemaModel], demo_catalog: Catalog) -> None:
    original = BUILDERS[model](demo_catalog)
    assert type(original) is model
    raw = original.model_dump_json()
    again = model.parse_json(raw, source="round trip")
    assert again == original
    # The plain-dict form (what --json and the API print) parses back too.
    plain = json.loads(json.dumps(original.to_json_dict(), ensure_ascii=False))
    assert model.parse(plain) == original


def test_person_applicant_round_trip() -> None:
    person = f.applicant()
    assert Applicant.parse_json(person.model_dump_json()) == person


def test_manifest_digest_is_stable_across_round_trip() -> None:
    manifest = f.manifest()
    again = SubmissionManifest.parse_json(manifest.model_dump_json())
    assert again.content_digest() == manifest.content_digest()
    assert again.page_hashes() == manifest.page_hashes()
    assert len(manifest.page_hashes()) == 2


def test_unknown_field_is_an_error_not_silently_dropped() -> None:
    body = f.kiosk().to_json_dict() | {"colour": "blue"}
    with pytest.raises(SchemaError, match="colour"):
        Kiosk.parse(body)


def test_naive_timestamp_is_rejected() -> None:
    body = json.loads(f.manifest().model_dump_json())
    body["created_at"] = "2024-06-03T09:30:00"
    with pytest.raises(SchemaError, match="timezone"):
        SubmissionManifest.parse(body)


def test_the_promise_names_who_promises():
    """附录 B's "我(单位)" is filled in: 本人 for a person, 本单位 for an enterprise."""
    from shared_schema.forms import promise_statement

    person = promise_statement("person", "阳城县市场监督管理局", "个体工商户登记")
    enterprise = promise_statement("enterprise", "阳城县市场监督管理局", "个体工商户登记")
    assert person.startswith("本人向阳城县市场监督管理局申请办理个体工商户登记")
    assert enterprise.startswith("本单位向阳城县市场监督管理局申请办理个体工商户登记")
    assert "(单位)" not in person + enterprise
