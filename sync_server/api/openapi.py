"""The OpenAPI 3.1 document, generated from the shared_schema models and the endpoint table.

pydantic's JSON Schemas (draft 2020-12) are OpenAPI 3.1 schemas as they are, so the
components are exactly what the server validates with; the tests validate every answer
against them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic.json_schema import models_json_schema

from shared_schema import PROTOCOL_VERSION, Catalog, Evaluation, Handover, HandoverAck, SubmissionManifest
from shared_schema.api import (
    ApiErrorBody,
    BlobHashes,
    BlobStored,
    ElectronicResultRequest,
    EnrollAnswer,
    EnrollRequest,
    EvaluationAck,
    Heartbeat,
    HeartbeatAck,
    MissingBlobs,
    StatusFeed,
    SubmissionAck,
    SubmissionStatus,
)
from shared_schema.feedback import FeedbackAck, FeedbackAnswers, FeedbackLookup, FeedbackNote
from shared_schema.mailing import OriginalMailing, OriginalMailingAck
from shared_schema.protocol import API_PREFIX, RESULT_SHA256_HEADER, SIGNATURE_HEADER
from shared_schema.supplement import LookupAnswer, LookupRequest, SupplementAck, SupplementManifest

from .params import CATALOG_FORMAT_PARAM, FEED_AFTER, FEED_LIMIT, RECEIPT, RESULT_ID, SHA256

MODELS = [
    EnrollRequest,
    EnrollAnswer,
    Catalog,
    BlobHashes,
    MissingBlobs,
    BlobStored,
    SubmissionManifest,
    SubmissionAck,
    SupplementManifest,
    SupplementAck,
    LookupRequest,
    LookupAnswer,
    StatusFeed,
    SubmissionStatus,
    Heartbeat,
    HeartbeatAck,
    Evaluation,
    EvaluationAck,
    Handover,
    HandoverAck,
    OriginalMailing,
    OriginalMailingAck,
    ElectronicResultRequest,
    FeedbackNote,
    FeedbackAck,
    FeedbackLookup,
    FeedbackAnswers,
    ApiErrorBody,
]
BINARY = "binary"
PDF = "application/pdf"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    summary: str
    body: type | str | None
    answers: dict[int, type | str | None]
    public: bool = False
    params: list[dict[str, Any]] = field(default_factory=list)


ENDPOINTS = [
    Endpoint(
        "post",
        "/enroll",
        "Exchange a one-time enrollment code for kiosk credentials",
        EnrollRequest,
        {201: EnrollAnswer, 404: None},
        public=True,
    ),
    Endpoint(
        "get",
        "/catalog",
        "The current catalog in the kiosk's format (ETag / If-None-Match → 304)",
        None,
        {200: Catalog, 304: None},
        params=[CATALOG_FORMAT_PARAM.openapi()],
    ),
    Endpoint(
        "post", "/blobs/missing", "Which page blobs the server still lacks", BlobHashes, {200: MissingBlobs}
    ),
    Endpoint(
        "put",
        "/blobs/{sha256}",
        "Upload one page blob (hash verified)",
        BINARY,
        {200: BlobStored, 201: BlobStored, 400: None, 408: None, 411: None, 413: None, 415: None},
        params=[SHA256.openapi()],
    ),
    Endpoint(
        "post",
        "/submissions",
        "Commit a submission manifest, exactly once",
        SubmissionManifest,
        {200: SubmissionAck, 201: SubmissionAck, 403: None, 409: None, 422: None},
    ),
    Endpoint(
        "post",
        "/supplements",
        "Commit a supplement (补正) for a case waiting for correction, exactly once",
        SupplementManifest,
        {200: SupplementAck, 201: SupplementAck, 403: None, 404: None, 409: None, 422: None},
    ),
    Endpoint(
        "post",
        "/supplements/lookup",
        "Another station's case by receipt number and ID number (rate-limited)",
        LookupRequest,
        {200: LookupAnswer, 404: None, 409: None, 429: None},
    ),
    Endpoint(
        "get",
        "/submissions/{receipt_no}/status",
        "Status of a receipt collected at this station",
        None,
        {200: SubmissionStatus, 404: None},
        params=[RECEIPT.openapi()],
    ),
    Endpoint(
        "get",
        "/status-feed",
        "This kiosk's status events after a cursor",
        None,
        {200: StatusFeed},
        params=[FEED_AFTER.openapi(), FEED_LIMIT.openapi()],
    ),
    Endpoint("post", "/heartbeat", "Report kiosk health", Heartbeat, {200: HeartbeatAck}),
    Endpoint(
        "post",
        "/evaluations",
        "Send an evaluation, exactly once",
        Evaluation,
        {200: EvaluationAck, 201: EvaluationAck, 403: None, 404: None, 409: None},
    ),
    Endpoint(
        "post",
        "/handovers",
        "Record a result handed over at this station (送达), exactly once",
        Handover,
        {200: HandoverAck, 201: HandoverAck, 403: None, 404: None, 409: None},
    ),
    Endpoint(
        "post",
        "/original-mailings",
        "Record the tracking number of a case's originals mailed with the transfer slip, exactly once",
        OriginalMailing,
        {200: OriginalMailingAck, 201: OriginalMailingAck, 403: None, 404: None, 409: None},
    ),
    Endpoint(
        "post",
        "/feedback",
        "Send a resident's feedback on a matter or guide (意见建议), exactly once",
        FeedbackNote,
        {200: FeedbackAck, 201: FeedbackAck, 403: None, 404: None, 409: None},
    ),
    Endpoint(
        "post",
        "/feedback/answers",
        "Answers to residents' feedback, by feedback numbers or a receipt number",
        FeedbackLookup,
        {200: FeedbackAnswers, 400: None},
    ),
    Endpoint(  # served by the workspace (sync_server/workspace/kiosk_results.py)
        "get",
        "/results/{result_id}",
        "An electronic result (PDF) to print at the pickup station",
        None,
        {200: PDF, 404: None},
        params=[RESULT_ID.openapi()],
    ),
    Endpoint(  # served by the workspace (sync_server/workspace/kiosk_results.py, result_lookup.py)
        "post",
        "/results/electronic",
        "An electronic result (PDF) printed at any kiosk: receipt number + the applicant's ID number",
        ElectronicResultRequest,
        {200: PDF, 404: None, 429: None},
    ),
]


def _operation(ep: Endpoint) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": ep.summary, "operationId": f"{ep.method}_{ep.path}", "responses": {}}
    if ep.params:
        op["parameters"] = ep.params
    if ep.body == BINARY:
        op["requestBody"] = {
            "required": True,
            "content": {
                f"image/{kind}": {"schema": {"type": "string", "contentMediaType": f"image/{kind}"}}
                for kind in ("jpeg", "png", "tiff", "webp")
            },
        }
    elif ep.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(ep.body)}}}
    signed = {
        SIGNATURE_HEADER: {
            "description": "hex HMAC-SHA256 of the body with the kiosk secret",
            "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        }
    }
    for status, model in ep.answers.items():
        if status == 304:
            op["responses"]["304"] = {"description": "not modified", "headers": signed}
        elif model is None:
            op["responses"][str(status)] = _error("error")
        elif model == PDF:
            op["responses"][str(status)] = {
                "description": "ok",
                "headers": {
                    **signed,
                    RESULT_SHA256_HEADER: {
                        "description": "hex SHA-256 of the PDF (the kiosk checks what it stores)",
                        "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    },
                },
                "content": {PDF: {"schema": {"type": "string", "contentMediaType": PDF}}},
            }
        else:
            op["responses"][str(status)] = {
                "description": "ok",
                "headers": signed,
                "content": {"application/json": {"schema": _ref(model)}},
            }
    for status in (400, 413, 415, 422) if ep.body else (400,):
        op["responses"].setdefault(str(status), _error("error"))
    if not ep.public:
        op["security"] = [{"kioskBearer": []}]
        op["responses"]["401"] = _error("unknown, revoked or missing kiosk credentials")
    op["responses"]["default"] = _error("error")
    return op


def _ref(model: type | str) -> dict[str, str]:
    assert isinstance(model, type)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(ApiErrorBody)}}}


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    _, top = models_json_schema(
        [(m, "validation") for m in MODELS], ref_template="#/components/schemas/{model}"
    )
    paths: dict[str, dict[str, Any]] = {}
    for ep in ENDPOINTS:
        paths.setdefault(ep.path, {})[ep.method] = _operation(ep)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tongban sync API",
            "version": PROTOCOL_VERSION,
            "description": "Kiosk ⇄ sync server contract; see docs/sync-protocol.md.",
        },
        "servers": [{"url": API_PREFIX}],
        "paths": paths,
        "components": {
            "schemas": top["$defs"],
            "securitySchemes": {
                "kioskBearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Bearer <kiosk_id>:<secret>",
                }
            },
        },
    }


def openapi_document() -> dict[str, Any]:
    return copy.deepcopy(_document())
