"""Drafts: a resident's application while it is being put together, then finalized.

The draft document (applicant, answers, pages per material, delivery) is sealed in the
database; page images go to the page store at once, so a long visit never holds images
in memory and a crash loses at most the page being captured. The receipt number is
taken in the draft's own transaction and printed only after :meth:`Drafts.finalize`.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared_schema import (
    Applicant,
    CompletenessResult,
    DeliveryChoice,
    PageRecord,
    Promise,
    SubmissionManifest,
)

from ..receipt_no import issue_receipt_no, today_in_china
from .home import KioskStore
from .identity import KioskIdentity
from .models import OutboxItem, OutboxPage, OutboxTransition, utcnow
from .outbox import Outbox, OutboxEntry
from .states import IllegalTransition, OutboxState


@dataclass
class DraftMaterial:
    requirement_code: str
    name: str
    count: int = 1
    note: str | None = None
    pages: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Draft:
    """The editable content of a draft; every field is optional until finalize."""

    client_uuid: str
    receipt_no: str
    matter_code: str
    catalog_version: str
    created_at: str
    applicant: dict[str, Any] | None = None
    answers: dict[str, bool] = field(default_factory=dict)
    materials: list[DraftMaterial] = field(default_factory=list)
    delivery: dict[str, Any] | None = None

    def material(self, code: str, name: str) -> DraftMaterial:
        for item in self.materials:
            if item.requirement_code == code:
                return item
        item = DraftMaterial(requirement_code=code, name=name)
        self.materials.append(item)
        return item

    def to_json(self) -> bytes:
        body = dict(self.__dict__)
        body["materials"] = [m.__dict__ for m in self.materials]
        return json.dumps(body, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Draft:
        body = json.loads(raw)
        body["materials"] = [DraftMaterial(**m) for m in body.get("materials", [])]
        return cls(**body)


class Drafts:
    def __init__(self, store: KioskStore, identity: KioskIdentity | None = None) -> None:
        self.store = store
        self.db = store.db
        self._identity = identity

    @property
    def identity(self) -> KioskIdentity:
        if self._identity is None:
            self._identity = self.store.identity()
        return self._identity

    def _seal(self, draft: Draft) -> bytes:
        return self.store.key.seal(draft.to_json(), f"draft:{draft.client_uuid}")

    def _draft_row(self, session: Any, client_uuid: str) -> tuple[OutboxItem, Draft]:
        row = Outbox.row(session, client_uuid)
        if row.state != OutboxState.draft.value or row.draft_enc is None:
            raise IllegalTransition(client_uuid, row.state, "draft edit")
        draft = Draft.from_json(self.store.key.open(row.draft_enc, f"draft:{client_uuid}"))
        return row, draft

    def create(self, matter_code: str, catalog_version: str, now: datetime | None = None) -> Draft:
        """A new draft with its receipt number (taken in this same transaction)."""
        ident, now = self.identity, now or utcnow()
        with self.db.write() as s:
            receipt_no = issue_receipt_no(
                s, ident.station_code, ident.receipt_prefix_short, today_in_china(now)
            )
            draft = Draft(
                client_uuid=str(uuidlib.uuid4()),
                receipt_no=receipt_no,
                matter_code=matter_code,
                catalog_version=catalog_version,
                created_at=now.isoformat(),
            )
            row = self._reservation_row(draft.client_uuid, receipt_no, matter_code, None, now)
            row.catalog_version, row.draft_enc = catalog_version, self._seal(draft)
            s.add(row)
            s.add(OutboxTransition(client_uuid=draft.client_uuid, to_state="draft", at=now, reason="created"))
        return draft

    @staticmethod
    def _reservation_row(
        uuid: str, receipt_no: str, matter_code: str, old: OutboxItem | None, now: datetime | None = None
    ) -> OutboxItem:
        now = old.created_at if old else (now or utcnow())
        return OutboxItem(
            client_uuid=uuid,
            receipt_no=receipt_no,
            state=OutboxState.draft.value,
            matter_code=matter_code,
            catalog_version=old.catalog_version if old else "",
            created_at=now,
            state_changed_at=now,
        )

    def load(self, client_uuid: str) -> Draft:
        with self.db.read() as s:
            return self._draft_row(s, client_uuid)[1]

    def update(
        self,
        client_uuid: str,
        *,
        applicant: Applicant | dict[str, Any] | None = None,
        answers: dict[str, bool] | None = None,
        delivery: DeliveryChoice | dict[str, Any] | None = None,
    ) -> Draft:
        with self.db.write() as s:
            row, draft = self._draft_row(s, client_uuid)
            if applicant is not None:
                draft.applicant = _plain(applicant)
            if answers is not None:
                draft.answers = dict(answers)
            if delivery is not None:
                draft.delivery = _plain(delivery)
            row.draft_enc = self._seal(draft)
        return draft

    def add_page(
        self, client_uuid: str, requirement_code: str, material_name: str, data: bytes, **page: Any
    ) -> PageRecord:
        """Store a page image (sealed, durable) and attach it to a material of the draft.

        ``page`` holds the other PageRecord fields: content_type, width, height, and
        optionally ocr_text, ocr_confidence, fields.
        """
        sha = self.store.pages.put(data)
        record = PageRecord.parse({"sha256": sha, "size": len(data), **page}, context="page")
        with self.db.write() as s:
            row, draft = self._draft_row(s, client_uuid)
            draft.material(requirement_code, material_name).pages.append(record.to_json_dict())
            row.draft_enc = self._seal(draft)
            if s.get(OutboxPage, (client_uuid, sha)) is None:
                s.add(
                    OutboxPage(
                        client_uuid=client_uuid, sha256=sha, size=len(data), content_type=record.content_type
                    )
                )
        return record

    def remove_page(self, client_uuid: str, sha256: str) -> None:
        with self.db.write() as s:
            row, draft = self._draft_row(s, client_uuid)
            for material in draft.materials:
                material.pages = [p for p in material.pages if p["sha256"] != sha256]
            row.draft_enc = self._seal(draft)
            s.execute(
                delete(OutboxPage).where(OutboxPage.client_uuid == client_uuid, OutboxPage.sha256 == sha256)
            )

    def discard(self, client_uuid: str) -> None:
        """Throw away an unfinished draft (the resident left); its receipt number is not reused."""
        with self.db.write() as s:
            row, _draft = self._draft_row(s, client_uuid)
            s.delete(row)

    def build_manifest(
        self, draft: Draft, completeness: CompletenessResult, promise: Promise
    ) -> SubmissionManifest:
        """Validate everything at once; a SchemaError lists every missing or bad field."""
        ident = self.identity
        body = {
            "client_uuid": draft.client_uuid,
            "receipt_no": draft.receipt_no,
            "kiosk_id": ident.kiosk_id,
            "station_code": ident.station_code,
            "created_at": draft.created_at,
            "matter_code": draft.matter_code,
            "catalog_version": draft.catalog_version,
            "applicant": draft.applicant,
            "materials": [m.__dict__ for m in draft.materials],
            "answers": draft.answers,
            "completeness": completeness.to_json_dict(),
            "delivery": draft.delivery,
            "promise": promise.to_json_dict(),
        }
        return SubmissionManifest.parse(body, context=f"draft {draft.receipt_no}")

    def finalize(
        self, client_uuid: str, completeness: CompletenessResult, promise: Promise
    ) -> SubmissionManifest:
        """Make the submission durable: sealed manifest file fsynced, then the row committed.

        Until this returns the resident has no receipt; once it returns, a kill -9 or a
        power cut cannot lose the submission.
        """
        with self.db.write() as s:
            row, draft = self._draft_row(s, client_uuid)
            manifest = self.build_manifest(draft, completeness, promise)
            self._commit_finalized(s, row, manifest)
        return manifest

    def finalize_manifest(
        self, manifest: SubmissionManifest, pages: Mapping[str, bytes | Path]
    ) -> OutboxEntry:
        """Finalize a manifest built elsewhere (the Kivy visit, ``tongban kiosk submit``).

        ``manifest.receipt_no`` must come from :meth:`create` on this kiosk; ``pages`` maps
        each page sha256 to its bytes or a file (checked against the hash, then sealed).
        Finalizing the same manifest twice (a double tap) returns the same entry.
        """
        for sha in manifest.page_hashes():
            source = pages.get(sha)
            if source is None and not self.store.pages.has(sha):
                raise FileNotFoundError(f"page {sha} of {manifest.receipt_no} was not supplied")
            if source is not None:
                data = source.read_bytes() if isinstance(source, Path) else source
                if self.store.pages.put(data) != sha:
                    raise ValueError(f"page supplied for {sha} has a different hash")
        uuid = str(manifest.client_uuid)
        with self.db.write() as s:
            row = s.scalars(
                select(OutboxItem).where(OutboxItem.receipt_no == manifest.receipt_no)
            ).one_or_none()
            if row is None:
                raise LookupError(f"receipt number {manifest.receipt_no} was not issued by this kiosk")
            if row.state != OutboxState.draft.value:
                if row.client_uuid == uuid and row.content_digest == manifest.content_digest():
                    return OutboxEntry.of(row)  # already finalized: same answer again
                raise IllegalTransition(row.client_uuid, row.state, "finalized")
            if row.client_uuid != uuid:  # the caller chose its own UUID: re-key the reservation
                s.delete(row)
                s.flush()
                row = self._reservation_row(uuid, manifest.receipt_no, manifest.matter_code, row)
                s.add(row)
            for page in {p.sha256: p for m in manifest.materials for p in m.pages}.values():
                if s.get(OutboxPage, (uuid, page.sha256)) is None:
                    s.add(
                        OutboxPage(
                            client_uuid=uuid,
                            sha256=page.sha256,
                            size=page.size,
                            content_type=page.content_type,
                        )
                    )
            row.matter_code, row.catalog_version = manifest.matter_code, manifest.catalog_version
            self._commit_finalized(s, row, manifest)
            return OutboxEntry.of(row)

    def _commit_finalized(self, s: Session, row: OutboxItem, manifest: SubmissionManifest) -> None:
        for sha in manifest.page_hashes():
            if not self.store.pages.has(sha):
                raise FileNotFoundError(f"page {sha} of {manifest.receipt_no} is not stored")
        raw = self.store.manifests.write(manifest)  # fsynced before the commit below
        Outbox.move(s, row, OutboxState.finalized, "finalized at the kiosk")
        row.finalized_at = utcnow()
        row.draft_enc = None
        row.content_digest = manifest.content_digest()
        row.page_count = sum(len(m.pages) for m in manifest.materials)
        row.payload_bytes = len(raw) + sum(p.size for m in manifest.materials for p in m.pages)


def _plain(value: Any) -> dict[str, Any]:
    return value.to_json_dict() if hasattr(value, "to_json_dict") else dict(value)
