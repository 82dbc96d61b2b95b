"""Shared fixtures and small factories for the shared-schema tests.

One factory per model that is not in the demo catalog, so each test says only what it
changes. The identifiers below are real-format numbers with correct check characters
(verified in test_identifiers.py), not anybody's real identity.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from shared_schema import (
    Applicant,
    Catalog,
    CompletenessIssue,
    CompletenessResult,
    DeliveryChoice,
    Evaluation,
    FlowCard,
    Kiosk,
    LedgerEntry,
    PageRecord,
    Promise,
    ReceiptNotice,
    StatusEvent,
    SubmissionManifest,
    SubmittedMaterial,
    TransferSlip,
)
from shared_schema.enums import CaseType, Delivery, Stage, SubmissionState
from shared_schema.forms import FlowStageRecord, MaterialRow, promise_statement
from shared_schema.loader import demo_catalog_dir, load_catalog

PERSON_ID = "14052519980307123X"  # 泽州县, born 1998-03-07, check character X
ENTERPRISE_USCC = "92140525MA0L12345A"  # 个体工商户 (9-2) registered in 泽州县
RECEIPT_NO = "ZZ1305-K01-20240603-0001"
CLIENT_UUID = UUID("6f1c2a9e-4b7d-4c1e-9a55-0d3e2f1b7c88")
AT = datetime(2024, 6, 3, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_catalog() -> Catalog:
    """The packaged 晋城市 catalog, loaded once: it is read-only in tests."""
    return load_catalog()


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A writable copy of the demo catalog folder, for breaking files on purpose."""
    target = tmp_path / "catalog"
    shutil.copytree(demo_catalog_dir(), target)
    return target


def applicant(**changes: Any) -> Applicant:
    data: dict[str, Any] = {
        "kind": "person",
        "name": "李建国",
        "id_number": PERSON_ID,
        "phone": "13903561234",
        "address": "晋城市泽州县北义城镇南义城村",
        "home_division": "140525113205",
    }
    data.update(changes)
    return Applicant.model_validate(data)


def enterprise_applicant() -> Applicant:
    return Applicant(
        kind="enterprise",
        name="泽州县南义城李记饭店",
        uscc=ENTERPRISE_USCC,
        legal_representative="李建国",
        phone="0356-3626135",
        home_division="140525",
    )


def page(seed: str = "page-1", **changes: Any) -> PageRecord:
    data: dict[str, Any] = {
        "sha256": hashlib.sha256(seed.encode()).hexdigest(),
        "size": 183_422,
        "content_type": "image/jpeg",
        "width": 1654,
        "height": 2339,
        "ocr_text": "城乡居民基本养老保险参保登记表 公民身份号码",
        "ocr_confidence": 91.5,
        "fields": {"id_number": PERSON_ID},
    }
    data.update(changes)
    return PageRecord.model_validate(data)


def manifest(**changes: Any) -> SubmissionManifest:
    data: dict[str, Any] = {
        "client_uuid": CLIENT_UUID,
        "receipt_no": RECEIPT_NO,
        "kiosk_id": "K01",
        "station_code": "ZZ1305",
        "created_at": AT,
        "matter_code": "JC-RS-001",
        "catalog_version": "2024.06.01",
        "applicant": applicant(),
        "materials": [
            SubmittedMaterial(
                requirement_code="id_card_front", name="居民身份证（人像面）", pages=[page("f")]
            ),
            SubmittedMaterial(requirement_code="registration_form", name="参保登记表", pages=[page("r")]),
        ],
        "answers": {"是否由他人代办？": False},
        "completeness": CompletenessResult(complete=True),
        "delivery": DeliveryChoice(
            method=Delivery.mail, address="晋城市泽州县北义城镇南义城村", phone="13903561234"
        ),
        "promise": Promise(text=PROMISE_TEXT, confirmed=True, confirmed_at=AT),
    }
    data.update(changes)
    return SubmissionManifest.model_validate(data)


def material_rows() -> list[MaterialRow]:
    return [
        MaterialRow(index=1, name="居民身份证", count=1, pages=2),
        MaterialRow(index=2, name="城乡居民基本养老保险参保登记表", count=1, pages=1, note="原件"),
    ]


MATTER = "城乡居民基本养老保险参保登记"
DEPARTMENT = "泽州县人力资源和社会保障局"
PHONE = "13903561234"
PROMISE_TEXT = promise_statement("person", DEPARTMENT, MATTER)


def _form_header() -> dict[str, Any]:
    """What 附录 A and 附录 B both print at the top."""
    return {
        "receipt_no": RECEIPT_NO,
        "matter_name": MATTER,
        "department_name": DEPARTMENT,
        "materials": material_rows(),
        "contact_phone": PHONE,
        "address": "晋城市泽州县北义城镇南义城村",
    }


def receipt_notice() -> ReceiptNotice:
    return ReceiptNotice(
        **_form_header(), applicant_name="李建国", unit="南义城村便民服务站", issued_on=date(2024, 6, 3)
    )


def transfer_slip() -> TransferSlip:
    return TransferSlip(
        **_form_header(),
        promise_text=PROMISE_TEXT,
        applicant_signature="李建国",
        receiving_unit="南义城村便民服务站",
        received_on=date(2024, 6, 3),
    )


def ledger_entry() -> LedgerEntry:
    return LedgerEntry(
        handled_at=AT,
        section="城乡居民养老保险股",
        matter_name="城乡居民基本养老保险参保登记",
        case_type=CaseType.instant,
        applicant="李建国",
        phone="13903561234",
        window="南义城村便民服务站市域通办窗口",
        staff="王丽",
        state="已办结",
    )


def flow_card() -> FlowCard:
    stages = [FlowStageRecord(stage=s, received_at=AT, finished_at=AT, responsible="王丽") for s in Stage]
    return FlowCard(
        matter_name="城乡居民基本养老保险参保登记",
        applicant_name="李建国",
        contact_name="李建国",
        contact_phone="13903561234",
        receipt_no=RECEIPT_NO,
        promised_days=0,
        accepted_at=AT,
        stages=stages,
    )


def status_event() -> StatusEvent:
    return StatusEvent(
        seq=1,
        client_uuid=CLIENT_UUID,
        receipt_no=RECEIPT_NO,
        state=SubmissionState.correction_requested,
        at=AT,
        message="请补充户口簿本人页",
        detail={"issues": [CompletenessIssue(code="missing_material", message="缺少户口簿").model_dump()]},
    )


def evaluation() -> Evaluation:
    return Evaluation(
        evaluation_uuid=UUID("0b9d6a8e-1f2c-4e3a-8d7b-5c4a3b2e1f00"),
        receipt_no=RECEIPT_NO,
        station_code="ZZ1305",
        score=5,
        comment="办事方便",
        created_at=AT,
    )


def kiosk() -> Kiosk:
    return Kiosk(kiosk_id="K01", station_code="ZZ1305", name="南义城村自助终端")
