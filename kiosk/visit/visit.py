"""One resident's visit in memory, and its draft pages on disk.

Draft pages live in their own folder under the kiosk home so that abandoning the visit
(Home, idle timeout) can delete every byte of it at once: a stranger walking up to the
kiosk must never see, or be able to recover, the previous resident's papers.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from shared_schema import ApplicantKind, CompletenessResult, Delivery, IncompleteAccepted, Matter


@dataclass
class DraftPage:
    """A captured page kept for this visit: the stored image plus what the scan learned."""

    path: Path
    sha256: str
    content_type: str
    width: int
    height: int
    ok: bool
    problems: list[tuple[str, str]] = field(default_factory=list)
    material_guess: str | None = None
    confidence: float = 0.0
    ocr_text: str = ""
    ocr_confidence: float | None = None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class ApplicantDraft:
    """What the identity step has gathered so far; validated only when finalized."""

    kind: ApplicantKind = ApplicantKind.person
    name: str = ""
    id_number: str = ""
    uscc: str = ""
    legal_representative: str = ""
    phone: str = ""
    address: str = ""
    home_division: str = ""
    source: str = ""  # id_reader / scan / keypad


@dataclass
class Visit:
    """Everything the resident has told or shown the kiosk during one visit."""

    drafts_root: Path
    visit_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    matter: Matter | None = None
    applicant: ApplicantDraft = field(default_factory=ApplicantDraft)
    answers: dict[str, bool] = field(default_factory=dict)
    pages: dict[str, list[DraftPage]] = field(default_factory=dict)
    completeness: CompletenessResult | None = None
    incomplete_accepted: IncompleteAccepted | None = None  # staff's headless submit only
    promise_confirmed_at: datetime | None = None
    delivery: Delivery = Delivery.pickup
    mail_address: str = ""
    client_uuid: str | None = None
    receipt_no: str | None = None
    receipt_pdf: Path | None = None
    rating: int | None = None

    @property
    def folder(self) -> Path:
        return self.drafts_root / self.visit_id

    @property
    def finalized(self) -> bool:
        return self.receipt_no is not None

    def add_page(self, material_code: str, data: bytes, suffix: str, **info: object) -> DraftPage:
        """Write a page's bytes into the draft folder and remember it under a material."""
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(data).hexdigest()
        path = self.folder / f"{digest}{suffix}"
        path.write_bytes(data)
        page = DraftPage(path=path, sha256=digest, **info)  # type: ignore[arg-type]
        self.pages.setdefault(material_code, []).append(page)
        self.completeness = None
        return page

    def delete_page(self, material_code: str, index: int) -> None:
        pages = self.pages.get(material_code, [])
        if 0 <= index < len(pages):
            page = pages.pop(index)
            if not any(p.path == page.path for ps in self.pages.values() for p in ps):
                page.path.unlink(missing_ok=True)
            self.completeness = None

    def move_page(self, material_code: str, index: int, offset: int) -> None:
        """Reorder: move page ``index`` by ``offset`` places (−1 up, +1 down)."""
        pages = self.pages.get(material_code, [])
        target = index + offset
        if 0 <= index < len(pages) and 0 <= target < len(pages):
            pages[index], pages[target] = pages[target], pages[index]

    def page_count(self, material_code: str) -> int:
        return len(self.pages.get(material_code, []))

    def wipe(self) -> None:
        """Forget the visit: draft pages deleted from disk, personal data dropped."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self.pages.clear()
        self.applicant = ApplicantDraft()
        self.answers.clear()
        self.matter = None
        self.completeness = None
        self.incomplete_accepted = None
