"""The request models' bounds and the database columns come from one source and agree.

Two walks: every string, integer and timestamp in every request body's JSON Schema is
bounded (length, no NUL, column-sized integers, the calendar's range); and every string
column a request value is stored in is at least as long as the longest value its model
accepts, while every other string column of those tables is listed as written by the
server itself — a new column must be put in one list or the other.
"""

from __future__ import annotations

import enum
import re
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import BigInteger, Column, Integer, String

from shared_schema import (
    CatalogVersion,
    Evaluation,
    Handover,
    MaterialRequirement,
    Matter,
    SubmissionManifest,
)
from shared_schema.api import BlobHashes, ElectronicResultRequest, EnrollRequest, Heartbeat
from shared_schema.bounds import INT32_MAX, INT64_MAX
from shared_schema.enums import ApplicantKind, Delivery, EvaluationStage, IdentityCheck
from shared_schema.feedback import FeedbackLookup, FeedbackNote
from shared_schema.mailing import OriginalMailing
from shared_schema.supplement import LookupRequest, SupplementManifest
from sync_server.api.openapi import ENDPOINTS
from sync_server.models import (
    Blob,
    Kiosk,
    KioskHeartbeat,
    Submission,
    SubmissionPage,
    Supplement,
    SupplementLookupAttempt,
)
from sync_server.models import Evaluation as EvaluationRow
from sync_server.models import Handover as HandoverRow
from sync_server.models import OriginalMailing as MailingRow
from sync_server.models.feedback import Feedback as FeedbackRow
from sync_server.workspace.models import AuditEntry

REQUEST_MODELS = [EnrollRequest, BlobHashes, SubmissionManifest, Heartbeat, Evaluation, Handover]
REQUEST_MODELS += [SupplementManifest, LookupRequest]
REQUEST_MODELS += [ElectronicResultRequest]
REQUEST_MODELS += [OriginalMailing]
REQUEST_MODELS += [FeedbackNote, FeedbackLookup]

# Canonical (validated) forms are shorter than the typed input the models accept.
CANONICAL = {"id_number": 18, "uscc": 18, "phone": 13, "home_division": 12}

# request value → the column it is stored in
STORED: list[tuple[type[BaseModel], str, Column[Any]]] = [
    (SubmissionManifest, "receipt_no", Submission.__table__.c.receipt_no),
    (SubmissionManifest, "kiosk_id", Submission.__table__.c.kiosk_id),
    (SubmissionManifest, "station_code", Submission.__table__.c.station_code),
    (SubmissionManifest, "matter_code", Submission.__table__.c.matter_code),
    (SubmissionManifest, "catalog_version", Submission.__table__.c.catalog_version),
    (SubmissionManifest, "applicant.kind", Submission.__table__.c.applicant_kind),
    (SubmissionManifest, "applicant.name", Submission.__table__.c.applicant_name),
    (SubmissionManifest, "applicant.id_number", Submission.__table__.c.applicant_id_number),
    (SubmissionManifest, "applicant.uscc", Submission.__table__.c.applicant_uscc),
    (SubmissionManifest, "applicant.phone", Submission.__table__.c.applicant_phone),
    (SubmissionManifest, "applicant.home_division", Submission.__table__.c.home_division),
    (SubmissionManifest, "delivery.method", Submission.__table__.c.delivery_method),
    (SubmissionManifest, "materials.requirement_code", SubmissionPage.__table__.c.requirement_code),
    (SubmissionManifest, "materials.pages.sha256", SubmissionPage.__table__.c.sha256),
    (SubmissionManifest, "materials.pages.sha256", Blob.__table__.c.sha256),
    (SubmissionManifest, "materials.pages.content_type", Blob.__table__.c.content_type),
    (Evaluation, "receipt_no", EvaluationRow.__table__.c.receipt_no),
    (ElectronicResultRequest, "receipt_no", AuditEntry.__table__.c.receipt_no),
    (Evaluation, "station_code", EvaluationRow.__table__.c.station_code),
    (Evaluation, "at_stage", EvaluationRow.__table__.c.at_stage),
    (Handover, "receipt_no", HandoverRow.__table__.c.receipt_no),
    (Handover, "station_code", HandoverRow.__table__.c.station_code),
    (Handover, "handed_by", HandoverRow.__table__.c.handed_by),
    (Handover, "handed_to", HandoverRow.__table__.c.handed_to),
    (Handover, "identity_check", HandoverRow.__table__.c.identity_check),
    (Handover, "id_number_masked", HandoverRow.__table__.c.id_number_masked),
    (OriginalMailing, "receipt_no", MailingRow.__table__.c.receipt_no),
    (OriginalMailing, "station_code", MailingRow.__table__.c.station_code),
    (OriginalMailing, "tracking_no", MailingRow.__table__.c.tracking_no),
    (OriginalMailing, "recorded_by", MailingRow.__table__.c.recorded_by),
    (FeedbackNote, "station_code", FeedbackRow.__table__.c.station_code),
    (FeedbackNote, "matter_code", FeedbackRow.__table__.c.matter_code),
    (FeedbackNote, "receipt_no", FeedbackRow.__table__.c.receipt_no),
    (FeedbackNote, "about", FeedbackRow.__table__.c.about),
    (SupplementManifest, "kiosk_id", Supplement.__table__.c.kiosk_id),
    (SupplementManifest, "station_code", Supplement.__table__.c.station_code),
    (SupplementManifest, "materials.key", SubmissionPage.__table__.c.requirement_code),
    (SupplementManifest, "materials.pages.sha256", SubmissionPage.__table__.c.sha256),
    (SupplementManifest, "materials.pages.content_type", Blob.__table__.c.content_type),
    (LookupRequest, "receipt_no", SupplementLookupAttempt.__table__.c.receipt_no),
    (Heartbeat, "queue_length", KioskHeartbeat.__table__.c.queue_length),
    (Heartbeat, "disk_free_bytes", KioskHeartbeat.__table__.c.disk_free_bytes),
    (Heartbeat, "last_error", KioskHeartbeat.__table__.c.last_error),
    (Heartbeat, "app_version", KioskHeartbeat.__table__.c.app_version),
    (Heartbeat, "catalog_version", KioskHeartbeat.__table__.c.catalog_version),
    (EnrollRequest, "name", Kiosk.__table__.c.name),
    (EnrollRequest, "profile", Kiosk.__table__.c.profile),
]
# String columns of those tables that the server fills itself (hashes, states, codes it chose).
SERVER_MADE = {
    "submissions": {"content_digest", "source", "state", "department_code"},
    "submission_pages": set(),
    "blobs": set(),
    "audit_log": {"username", "role", "action", "remote_addr", "user_agent"},
    "evaluations": {"kiosk_id", "content_digest", "department_code", "channel", "recorded_by"},
    "handovers": {"kiosk_id", "content_digest"},
    "original_mailings": {"kiosk_id", "content_digest"},
    "supplements": {"content_digest"},
    "supplement_lookup_attempts": {"kiosk_id"},
    "kiosk_heartbeats": {"kiosk_id"},
    "kiosks": {"kiosk_id", "station_code", "secret_hash", "bundle_key"},
    "feedback": {"feedback_no", "source", "kiosk_id", "author", "state", "answered_by"},
}
ENUMS: dict[str, type[enum.Enum]] = {
    "applicant.kind": ApplicantKind,
    "delivery.method": Delivery,
    "at_stage": EvaluationStage,
    "identity_check": IdentityCheck,
}


def _schema(model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = model.model_json_schema()
    return schema, schema.get("$defs", {})


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[1]]
    return node


def _leaves(node: dict[str, Any], defs: dict[str, Any], where: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every scalar schema under ``node`` with its dotted path (list items share the list's)."""
    node = _resolve(node, defs)
    if "anyOf" in node:
        return [leaf for option in node["anyOf"] for leaf in _leaves(option, defs, where)]
    kind = node.get("type")
    if kind == "object":
        out = []
        for name, child in node.get("properties", {}).items():
            out += _leaves(child, defs, f"{where}.{name}".lstrip("."))
        if isinstance(node.get("additionalProperties"), dict):
            out += _leaves(node["additionalProperties"], defs, f"{where}.<value>")
        keys = {"type": "string", **node.get("propertyNames", {})}
        for pattern, value in node.get("patternProperties", {}).items():  # pydantic's key pattern
            keys["pattern"] = pattern
            out += _leaves(value, defs, f"{where}.<value>")
        if "propertyNames" in node or "patternProperties" in node:
            out += _leaves(keys, defs, f"{where}.<key>")
        return out
    if kind == "array":
        return _leaves(node["items"], defs, where)
    return [(where, node)]


def _leaf(model: type[BaseModel], path: str) -> dict[str, Any]:
    schema, defs = _schema(model)
    found = [leaf for where, leaf in _leaves(schema, defs) if where == path and leaf.get("type") != "null"]
    assert len(found) == 1, (model.__name__, path, found)
    return found[0]


def test_every_json_body_of_the_api_has_a_bounded_model():
    bodies = {ep.body for ep in ENDPOINTS if isinstance(ep.body, type)}
    assert bodies == set(REQUEST_MODELS)


@pytest.mark.parametrize("model", REQUEST_MODELS, ids=lambda m: m.__name__)
def test_every_request_scalar_is_bounded(model):
    schema, defs = _schema(model)
    for path, leaf in _leaves(schema, defs):
        kind = leaf.get("type")
        fixed = "enum" in leaf or "const" in leaf  # a Literal's one value is as bounded as an enum
        if kind == "string" and not fixed and leaf.get("format") != "uuid":
            if leaf.get("format") == "date-time":
                assert leaf.get("description", "").startswith("with a timezone; 2000-01-01"), path
                continue
            assert "maxLength" in leaf, path
            assert not re.search(leaf["pattern"], "a\x00b"), path  # NUL refused
        elif kind == "integer":
            assert leaf.get("minimum", leaf.get("exclusiveMinimum")) is not None, path
            assert leaf.get("maximum", INT64_MAX + 1) <= INT64_MAX, path
        elif kind == "number":
            assert "maximum" in leaf and "minimum" in leaf, path
        elif not fixed and "$ref" not in leaf:
            assert kind in {"boolean", "null", "string"}, (path, leaf)


@pytest.mark.parametrize(("model", "path", "column"), STORED, ids=lambda x: getattr(x, "name", None))
def test_stored_request_values_fit_their_columns(model, path, column):
    leaf = _leaf(model, path)
    name = path.rsplit(".", 1)[-1]
    if isinstance(column.type, Integer | BigInteger):
        limit = INT64_MAX if isinstance(column.type, BigInteger) else INT32_MAX
        assert leaf["maximum"] <= limit
        return
    assert isinstance(column.type, String) and column.type.length, column
    if path in ENUMS:
        longest = max(len(member.value) for member in ENUMS[path])
    elif "enum" in leaf:  # a Literal
        longest = max(len(str(value)) for value in leaf["enum"])
    else:
        longest = CANONICAL.get(name, leaf["maxLength"])
    assert longest <= column.type.length, f"{model.__name__}.{path} ({longest}) > {column} ({column.type})"


@pytest.mark.parametrize(
    ("source", "field", "path"),
    [
        (Matter, "code", "matter_code"),
        (CatalogVersion, "version", "catalog_version"),
        (MaterialRequirement, "code", "materials.requirement_code"),
        (MaterialRequirement, "name", "materials.name"),
    ],
)
def test_what_a_kiosk_copies_from_the_catalog_fits_the_manifest(source, field, path):
    """Else a kiosk could not build a valid manifest for a matter its own catalog lists."""
    assert _leaf(source, field)["maxLength"] <= _leaf(SubmissionManifest, path)["maxLength"]


def test_every_string_column_fed_by_requests_is_listed():
    tables = {column.table for _, _, column in STORED}
    assert {t.name for t in tables} == set(SERVER_MADE)
    fed = {(column.table.name, column.name) for _, _, column in STORED}
    for table in tables:
        for column in table.columns:
            if isinstance(column.type, String) and column.type.length:
                listed = (table.name, column.name) in fed or column.name in SERVER_MADE[table.name]
                assert listed, f"{table.name}.{column.name}: fed by a request (add to STORED) or server-made?"
