"""Request and answer bodies of the sync API (docs/sync-protocol.md) besides the manifest.

Both sides use these: the server validates requests and builds answers with them, the
kiosk can parse answers with them, and the OpenAPI document is generated from them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from .base import SchemaModel
from .bounds import (
    APP_VERSION_LEN,
    CATALOG_VERSION_LEN,
    ENROLLMENT_CODE_LEN,
    IDENTITY_LEN,
    KIOSK_ID_LEN,
    KIOSK_NAME_LEN,
    LAST_ERROR_LEN,
    PROFILE_LEN,
    Instant,
    Int32,
    Int64,
    text,
)
from .enums import SubmissionState
from .feedback_no import MAX_KIOSK
from .protocol import KIOSK_ID
from .submission import SHA256, ReceiptNo, Sha256, StatusEvent, SubmissionManifest


class EnrollRequest(SchemaModel):
    """``POST /enroll``: a one-time code (dashes and case do not matter)."""

    code: Annotated[str, text(ENROLLMENT_CODE_LEN, min_length=8)]
    name: Annotated[str, text(KIOSK_NAME_LEN)] | None = None
    profile: Annotated[str, text(PROFILE_LEN)] = "virtual"


class ElectronicResultRequest(SchemaModel):
    """``POST /results/electronic``: a resident at any kiosk proves who they are to print
    their electronic result. ``identity`` is the applicant's ID number (or an enterprise's
    USCC); any mismatch gets the same 404 as an unknown receipt."""

    receipt_no: ReceiptNo
    identity: Annotated[str, text(IDENTITY_LEN, min_length=1)]


class EnrollAnswer(SchemaModel):
    """The kiosk's credentials; ``secret`` and ``bundle_key`` are shown only this once."""

    kiosk_id: str = Field(pattern=KIOSK_ID, description="also the kiosk part of receipt numbers")
    station_code: str
    secret: str = Field(description="for Authorization and answer signatures")
    bundle_key: str = Field(description="key from which sneakernet bundles are sealed (HKDF → AES-256-GCM)")
    server_key_id: str = Field(description="identifies the server installation")


class BlobHashes(SchemaModel):
    """``POST /blobs/missing``."""

    hashes: list[Sha256] = Field(max_length=5000)


class MissingBlobs(SchemaModel):
    missing: list[Sha256]


class BlobStored(SchemaModel):
    """``PUT /blobs/<sha256>``: 201 when stored now, 200 when the server had it."""

    sha256: str = Field(pattern=SHA256)
    size: int = Field(ge=0)
    created: bool


class SubmissionAck(SchemaModel):
    """The signed acknowledgement; a replay gets the same bytes again."""

    client_uuid: UUID
    receipt_no: str
    state: SubmissionState
    department_code: str | None
    received_at: datetime


class StatusFeed(SchemaModel):
    """``GET /status-feed``: pass ``next`` as ``after`` to continue."""

    events: list[StatusEvent]
    next: int = Field(ge=0)


class StatusHistoryEntry(SchemaModel):
    state: SubmissionState
    at: datetime
    message: str = Field(description="Chinese, shown to the resident")


class SubmissionStatus(SchemaModel):
    """``GET /submissions/<receipt_no>/status``: no personal data."""

    receipt_no: str
    state: SubmissionState
    transfer_due: str | None = Field(None, description="ISO date")
    events: list[StatusHistoryEntry]


class Heartbeat(SchemaModel):
    """``POST /heartbeat``: how the kiosk is doing, sent on every sync."""

    queue_length: Int32
    oldest_waiting_at: Instant | None = None
    last_error: Annotated[str, text(LAST_ERROR_LEN)] | None = None
    disk_free_bytes: Int64 | None = None
    app_version: Annotated[str, text(APP_VERSION_LEN, min_length=1)]
    catalog_version: Annotated[str, text(CATALOG_VERSION_LEN)] | None = None


class HeartbeatAck(SchemaModel):
    """``feed_next``: the last cursor of the kiosk's status feed, so an idle kiosk asks for
    the feed only when it is past its own cursor (absent from older servers: poll as before).
    ``feedback_prefix``: given at enrollment; kiosks enrolled before it existed learn it here."""

    kiosk_id: str
    received_at: datetime
    feed_next: int | None = Field(default=None, ge=0)
    feedback_prefix: int | None = Field(
        default=None, ge=1, le=MAX_KIOSK, description="the kiosk part of its feedback numbers (意见编号)"
    )


class EvaluationAck(SchemaModel):
    evaluation_uuid: UUID
    received_at: datetime


class ApiErrorBody(SchemaModel):
    """Every error answer."""

    error: str = Field(description="reason code")
    message: str = Field(description="English, for logs and staff")
    message_zh: str = Field(description="Chinese, for residents and village staff")
    details: dict[str, Any] = Field(default_factory=dict)
    missing: list[Sha256] | None = Field(None, description="missing_blobs only: same as details.missing")


class Bundle(SchemaModel):
    """``bundle.json`` of a sneakernet bundle."""

    kiosk_id: Annotated[str, text(KIOSK_ID_LEN)]
    created_at: Instant
    submissions: list[SubmissionManifest] = Field(max_length=100_000)
