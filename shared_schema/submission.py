"""What a kiosk sends: the applicant, the pages, the check result, the promise.

The manifest is content-addressed: pages are named by sha256, so the server can say which
bytes it still lacks and a repeated upload can be recognised for what it is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, model_validator

from .base import SchemaModel
from .bounds import (
    ADDRESS_LEN,
    CATALOG_VERSION_LEN,
    CODE_LEN,
    KIOSK_ID_LEN,
    MATTER_CODE_LEN,
    MAX_ITEMS,
    MAX_PAGES,
    MAX_PIXELS,
    MESSAGE_LEN,
    OCR_TEXT_LEN,
    PERSON_NAME_LEN,
    PROMISE_TEXT_LEN,
    PROTOCOL_VERSION_LEN,
    RECEIPT_NO_LEN,
    REQUIREMENT_CODE_LEN,
    SHORT_TEXT_LEN,
    STATION_CODE_LEN,
    Instant,
    text,
)
from .enums import ApplicantKind, Delivery, SubmissionState
from .identifiers import DivisionCode, IdNumber, Phone, Uscc

PROTOCOL_VERSION = "1.0"
SHA256 = r"^[0-9a-f]{64}$"
Sha256 = Annotated[str, Field(pattern=SHA256, max_length=64)]
RECEIPT_NO = r"^[0-9A-Z]{3,16}-[0-9A-Z]{1,8}-\d{8}-\d{4,6}$"
ReceiptNo = Annotated[str, Field(pattern=RECEIPT_NO, max_length=RECEIPT_NO_LEN)]
Name = Annotated[str, text(PERSON_NAME_LEN)]
Address = Annotated[str, text(ADDRESS_LEN)]


class Applicant(SchemaModel):
    """申请人: a person (ID number) or an enterprise (credit code + legal representative)."""

    kind: ApplicantKind
    name: Annotated[str, text(PERSON_NAME_LEN, min_length=1)]
    id_number: IdNumber | None = None
    uscc: Uscc | None = None
    legal_representative: Name | None = None
    phone: Phone
    address: Address | None = None
    home_division: DivisionCode

    @model_validator(mode="after")
    def _identity_present(self) -> Applicant:
        if self.kind is ApplicantKind.person and not self.id_number:
            raise ValueError("a person applicant needs id_number")
        if self.kind is ApplicantKind.enterprise and not self.uscc:
            raise ValueError("an enterprise applicant needs uscc")
        return self


class PageRecord(SchemaModel):
    """页: one stored page image, addressed by its hash."""

    sha256: Sha256
    size: int = Field(gt=0, le=20_000_000)
    content_type: str = Field(pattern=r"^image/(jpeg|png|tiff|webp)$", max_length=10)
    width: int = Field(gt=0, le=MAX_PIXELS)
    height: int = Field(gt=0, le=MAX_PIXELS)
    ocr_text: Annotated[str, text(OCR_TEXT_LEN)] = ""
    ocr_confidence: float | None = Field(None, ge=0, le=100)
    fields: dict[Annotated[str, text(CODE_LEN)], Annotated[str, text(MESSAGE_LEN)]] = Field(
        default_factory=dict, max_length=100
    )


class SubmittedMaterial(SchemaModel):
    """申请材料 as handed in: which requirement it meets, how many copies, its pages."""

    requirement_code: Annotated[str, text(REQUIREMENT_CODE_LEN)]
    name: Annotated[str, text(SHORT_TEXT_LEN)]
    count: int = Field(1, ge=1, le=20)
    pages: list[PageRecord] = Field(default_factory=list, max_length=MAX_PAGES)
    note: Annotated[str, text(MESSAGE_LEN)] | None = None


class CompletenessIssue(SchemaModel):
    """One thing missing or wrong, in words a resident understands."""

    code: Annotated[str, text(CODE_LEN)] = Field(
        description="reason code, e.g. missing_material, id_mismatch"
    )
    material_code: Annotated[str, text(REQUIREMENT_CODE_LEN)] | None = None
    message: Annotated[str, text(MESSAGE_LEN)] = Field(description="Chinese, for the resident")


class CompletenessResult(SchemaModel):
    """The kiosk's formal check (形式审查): complete, or every issue at once."""

    complete: bool
    issues: list[CompletenessIssue] = Field(default_factory=list, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _issues_match(self) -> CompletenessResult:
        if self.complete == bool(self.issues):
            raise ValueError("complete must be true exactly when there are no issues")
        return self


class IncompleteAccepted(SchemaModel):
    """Staff queued a submission the completeness check found incomplete, and why.

    Only the headless ``tongban kiosk submit --allow-incomplete --reason …`` sets it; the
    resident's visit never finalizes an incomplete submission. The department sees it.
    """

    reason: Annotated[str, text(SHORT_TEXT_LEN, min_length=4)]
    by: Annotated[str, text(SHORT_TEXT_LEN, min_length=1)] = Field(
        description="who decided: the command, and the operator when known"
    )
    at: Instant


class Promise(SchemaModel):
    """The applicant's signed promise from the transfer slip (附录 B)."""

    text: Annotated[str, text(PROMISE_TEXT_LEN, min_length=20)]
    confirmed: bool
    confirmed_at: Instant
    signature_sha256: Sha256 | None = None

    @model_validator(mode="after")
    def _must_confirm(self) -> Promise:
        if not self.confirmed:
            raise ValueError("the promise must be confirmed before a submission is finalised")
        return self


class DeliveryChoice(SchemaModel):
    """送达: mail to an address, pickup at the collecting station, or online."""

    method: Delivery
    address: Address | None = None
    recipient: Name | None = None
    phone: Phone | None = None
    # pickup at a station the resident chose (the online zone); absent for a kiosk's
    # pickup (its own station), and then left out of the JSON: old digests stay the same
    station_code: Annotated[str, text(STATION_CODE_LEN)] | None = Field(None, exclude_if=lambda v: v is None)

    @model_validator(mode="after")
    def _address_for_mail(self) -> DeliveryChoice:
        if self.method is Delivery.mail and not self.address:
            raise ValueError("mail delivery needs an address")
        return self


class SubmissionManifest(SchemaModel):
    """Everything about one application, as the kiosk commits it to the server."""

    protocol_version: Annotated[str, text(PROTOCOL_VERSION_LEN)] = PROTOCOL_VERSION
    client_uuid: UUID
    receipt_no: ReceiptNo
    kiosk_id: Annotated[str, text(KIOSK_ID_LEN)]
    station_code: Annotated[str, text(STATION_CODE_LEN)]
    created_at: Instant
    matter_code: Annotated[str, text(MATTER_CODE_LEN)]
    catalog_version: Annotated[str, text(CATALOG_VERSION_LEN)]
    applicant: Applicant
    materials: list[SubmittedMaterial] = Field(max_length=MAX_ITEMS)
    answers: dict[Annotated[str, text(CODE_LEN)], bool] = Field(
        default_factory=dict, max_length=MAX_ITEMS, description="answers to conditional-material questions"
    )
    completeness: CompletenessResult
    delivery: DeliveryChoice
    promise: Promise
    # Left out of the JSON when absent, so a server of the previous release (which forbids
    # unknown fields) still takes every ordinary manifest, and older digests stay the same.
    incomplete_accepted: IncompleteAccepted | None = Field(None, exclude_if=lambda v: v is None)
    # "online": filed in the online zone (网上专区), not at a kiosk; left out for kiosk
    # manifests for the same reason.
    channel: Literal["online"] | None = Field(None, exclude_if=lambda v: v is None)

    @model_validator(mode="after")
    def _accepted_only_when_incomplete(self) -> SubmissionManifest:
        if self.incomplete_accepted is not None and self.completeness.complete:
            raise ValueError("incomplete_accepted belongs only to an incomplete submission")
        return self

    def page_hashes(self) -> list[str]:
        """Every page hash in order, each once."""
        return unique_page_hashes(self.materials)

    def content_digest(self) -> str:
        """A stable digest of the content, so a replay can be told from a conflict."""
        return canonical_digest(self)


def unique_page_hashes(materials: Iterable[Any]) -> list[str]:
    """The ``sha256`` of every page of ``materials`` (each with ``pages``), in order, each once."""
    return list(dict.fromkeys(page.sha256 for material in materials for page in material.pages))


def canonical_digest(model: SchemaModel) -> str:
    """SHA-256 of ``model``'s JSON with sorted keys: equal content, equal digest."""
    body: dict[str, Any] = model.model_dump(mode="json")
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class StatusEvent(SchemaModel):
    """One change a kiosk must learn of, in the per-kiosk feed (cursor = ``seq``)."""

    seq: int = Field(ge=1)
    client_uuid: UUID
    receipt_no: str
    state: SubmissionState
    at: datetime
    message: str = Field(description="Chinese, shown to the resident")
    detail: dict[str, Any] = Field(default_factory=dict)
