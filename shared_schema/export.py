"""JSON Schema export, so non-Python clients can speak the protocol."""

from __future__ import annotations

import json
from pathlib import Path

from .base import SchemaModel
from .catalog import Catalog, Guide, MaterialRequirement, Matter
from .forms import Evaluation, FlowCard, LedgerEntry, ReceiptNotice, TransferSlip
from .geography import Department, Division, Kiosk, Station
from .holidays import HolidayTable
from .submission import PROTOCOL_VERSION, Applicant, StatusEvent, SubmissionManifest

EXPORTED: list[type[SchemaModel]] = [
    Catalog,
    Matter,
    Guide,
    MaterialRequirement,
    Division,
    Department,
    Station,
    Kiosk,
    Applicant,
    SubmissionManifest,
    StatusEvent,
    ReceiptNotice,
    TransferSlip,
    LedgerEntry,
    FlowCard,
    Evaluation,
    HolidayTable,
]


def json_schemas() -> dict[str, dict]:
    """Name → JSON Schema (draft 2020-12) of every exported model."""
    out = {}
    for model in EXPORTED:
        schema = model.model_json_schema(mode="validation")
        schema["$id"] = f"https://tongban.invalid/schema/{PROTOCOL_VERSION}/{model.__name__}.json"
        out[model.__name__] = schema
    return out


def export_schemas(folder: Path) -> list[Path]:
    """Write one ``<Model>.schema.json`` per model into ``folder``; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas().items():
        path = folder / f"{name}.schema.json"
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
        written.append(path)
    return written
