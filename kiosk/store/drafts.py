"""Receipt-number reservations and finalized submissions in the outbox.

The resident's visit keeps its draft in memory and its pages in the visit's own folder
(:mod:`kiosk.visit`); the store sees it twice. :meth:`Drafts.create` reserves a receipt
number in its own transaction when the resident presses "submit", and
:meth:`Drafts.finalize_manifest` makes the manifest the visit built durable. Only then is
the receipt printed. ``tongban kiosk submit`` goes through the same visit.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema import SubmissionManifest

from .home import KioskStore
from .identity import KioskIdentity
from .models import OutboxItem, OutboxPage, OutboxTransition, utcnow
from .outbox import Outbox, OutboxEntry
from .receipt_no import issue_receipt_no, today_in_china
from .states import IllegalTransition, OutboxState


@dataclass
class Draft:
    """A reservation: the receipt number a submission will carry once finalized."""

    client_uuid: str
    receipt_no: str
    matter_code: str
    catalog_version: str
    created_at: str

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Draft:
        """Also reads drafts of the release that kept applicant and pages here (ignored)."""
        body = json.loads(raw)
        return cls(**{k: body[k] for k in cls.__dataclass_fields__})


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

    def discard(self, client_uuid: str) -> None:
        """Throw away an unfinished draft (the resident left); its receipt number is not reused."""
        with self.db.write() as s:
            row, _draft = self._draft_row(s, client_uuid)
            s.delete(row)

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
