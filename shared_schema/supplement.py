"""补正 on the same case: what a correction notice asks for and the supplement that answers it.

A department's correction request (``correct`` action) lists every item at once
(一次性告知); each item has a ``key`` — the guide's requirement code when the item names
one of the matter's materials, else ``item-<n>`` for a free-text item. The kiosk scans
pages for exactly those keys and sends a :class:`SupplementManifest`; both sides run
:func:`check_supplement` on it, so the kiosk's "complete" is the server's "complete".
Pages are content-addressed blobs uploaded like a submission's (``PUT /blobs/<sha256>``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, model_validator

from .base import SchemaModel
from .bounds import (
    GRANT_LEN,
    KIOSK_ID_LEN,
    MAX_ITEMS,
    MAX_PAGES,
    MESSAGE_LEN,
    PROTOCOL_VERSION_LEN,
    REQUIREMENT_CODE_LEN,
    STATION_CODE_LEN,
    Instant,
    text,
)
from .enums import ApplicantKind, SubmissionState
from .identifiers import IdNumber, Uscc
from .submission import (
    PROTOCOL_VERSION,
    CompletenessIssue,
    CompletenessResult,
    PageRecord,
    ReceiptNo,
    canonical_digest,
    unique_page_hashes,
)

SUPPLEMENT_ACTION = "supplement"
CORRECT_ACTION = "correct"
MAX_ROUNDS = 100


class CorrectionItem(SchemaModel):
    """One thing the notice asks for: its key (what supplement pages are filed under)."""

    key: Annotated[str, text(REQUIREMENT_CODE_LEN, min_length=1)]
    text: Annotated[str, text(MESSAGE_LEN, min_length=1)]
    requirement_code: Annotated[str, text(REQUIREMENT_CODE_LEN)] | None = None


def correction_items(texts: Sequence[str], materials: Mapping[str, str]) -> list[CorrectionItem]:
    """Keys for the notice's ``texts``: a material's code when the text is its name
    (``materials``: name → requirement code), else ``item-<n>`` (1-based)."""
    items: list[CorrectionItem] = []
    for number, item in enumerate(texts, start=1):
        code = materials.get(item)
        items.append(CorrectionItem(key=code or f"item-{number}", text=item, requirement_code=code))
    return items


def items_of_detail(detail: Mapping[str, Any]) -> list[CorrectionItem]:
    """The items of a ``correct`` event's detail (older events, text only, get ``item-<n>`` keys)."""
    stored = detail.get("requirements")
    if isinstance(stored, list):
        return [CorrectionItem.model_validate(item) for item in stored]
    return correction_items([str(t) for t in detail.get("items", [])], {})


class SupplementMaterial(SchemaModel):
    """The pages for one notice item."""

    key: Annotated[str, text(REQUIREMENT_CODE_LEN, min_length=1)] = Field(
        description="the notice item's key (requirement code or item-<n>)"
    )
    pages: list[PageRecord] = Field(min_length=1, max_length=MAX_PAGES)


class SupplementManifest(SchemaModel):
    """补正材料 for a case waiting in 待补正, bound to its receipt number and notice round."""

    protocol_version: Annotated[str, text(PROTOCOL_VERSION_LEN)] = PROTOCOL_VERSION
    client_uuid: UUID
    receipt_no: ReceiptNo
    correction_round: int = Field(ge=1, le=MAX_ROUNDS, description="which correction request (1-based)")
    kiosk_id: Annotated[str, text(KIOSK_ID_LEN)]
    station_code: Annotated[str, text(STATION_CODE_LEN)]
    materials: list[SupplementMaterial] = Field(min_length=1, max_length=MAX_ITEMS)
    completeness: CompletenessResult
    lookup_grant: Annotated[str, text(GRANT_LEN)] | None = Field(
        None, description="from POST /supplements/lookup: lets another station's kiosk supplement, for a time"
    )
    created_at: Instant

    def page_hashes(self) -> list[str]:
        return unique_page_hashes(self.materials)

    def content_digest(self) -> str:
        return canonical_digest(self)


class SupplementAck(SchemaModel):
    """The signed acknowledgement; a replay gets the same bytes again."""

    client_uuid: UUID
    receipt_no: str
    supplement_no: int = Field(ge=1)
    state: SubmissionState
    received_at: datetime


class LookupRequest(SchemaModel):
    """``POST /supplements/lookup``: a receipt number and the applicant's identity, exactly
    one of a person's ID number or an enterprise's unified social credit code (GB 32100)."""

    receipt_no: ReceiptNo
    id_number: IdNumber | None = None
    uscc: Uscc | None = Field(None, description="an enterprise applicant (单位) instead of id_number")

    @model_validator(mode="after")
    def _one_identity(self) -> LookupRequest:
        if (self.id_number is None) == (self.uscc is None):
            raise ValueError("give either id_number (a person) or uscc (an enterprise)")
        return self

    @property
    def applicant_kind(self) -> ApplicantKind:
        return ApplicantKind.person if self.id_number else ApplicantKind.enterprise

    @property
    def identity(self) -> str:
        return self.id_number or self.uscc or ""


class LookupAnswer(SchemaModel):
    """The notice of a case collected elsewhere, and the grant its supplement must carry."""

    receipt_no: str
    correction_round: int = Field(ge=1)
    items: list[CorrectionItem]
    message: str = Field(description="Chinese, the notice as the applicant was told")
    notice_due: str | None = None
    lookup_grant: str | None = Field(None, description="absent for a notice the status feed brought")


def check_supplement(items: Sequence[CorrectionItem], pages: Mapping[str, int]) -> CompletenessResult:
    """Every item has pages and nothing else was sent (``pages``: key → page count)."""
    wanted = {item.key for item in items}
    issues = [
        CompletenessIssue(
            code="missing_material", material_code=item.key, message=f"缺少补正材料：{item.text}。"
        )
        for item in items
        if pages.get(item.key, 0) < 1
    ]
    issues += [
        CompletenessIssue(code="not_requested", material_code=key, message="该材料不在补正告知中，无需提交。")
        for key in sorted(set(pages) - wanted)
    ]
    return CompletenessResult(complete=not issues, issues=issues)


def page_counts(materials: Iterable[SupplementMaterial]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for material in materials:
        counts[material.key] = counts.get(material.key, 0) + len(material.pages)
    return counts


@dataclass
class SupplementReceipt:
    """补正材料接收凭证: what the kiosk prints when a supplement is queued (the data;
    ``render.supplement_receipt`` lays it out). The receipt number is the case's own."""

    receipt_no: str
    unit: str
    items: list[tuple[str, int]]  # (notice item, pages received)
    received_on: date
    supplement_id: str
    notice_due: str | None = None
