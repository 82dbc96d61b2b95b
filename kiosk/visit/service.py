"""The visit's operations, one method per resident action; screens call nothing else.

Each method either changes the visit and returns what to show, or returns a Chinese
message saying what to fix; none raises for a resident's mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared_schema import (
    ApplicantKind,
    Catalog,
    CompletenessResult,
    Delivery,
    IncompleteAccepted,
    SchemaError,
    SubmissionManifest,
)
from shared_schema.identifiers import validate_id_number, validate_phone, validate_uscc

from ..hardware.idreader import IdCardData
from ..i18n import _
from . import delivery as delivery_options
from .checklist import ChecklistItem, checklist, unanswered
from .flow import VisitFlow
from .jurisdiction import Jurisdictions, Proposal
from .ports import Completeness, Outbox, ScannedPage, SuppliedMaterial
from .steps import Step
from .submit import KioskRef, build_manifest
from .visit import DraftPage


@dataclass(frozen=True)
class Finalized:
    receipt_no: str
    manifest: SubmissionManifest


class VisitService:
    def __init__(
        self,
        catalog: Catalog,
        flow: VisitFlow,
        kiosk: KioskRef,
        outbox: Outbox,
        completeness: Completeness,
    ) -> None:
        self.catalog = catalog
        self.flow = flow
        self.kiosk = kiosk
        self.outbox = outbox
        self.completeness = completeness
        self.jurisdictions = Jurisdictions(catalog)

    @property
    def visit(self):
        return self.flow.visit

    # -- home / guide ---------------------------------------------------------------------
    def choose_matter(self, code: str) -> None:
        self.flow.new_visit()
        self.visit.matter = self.catalog.matter(code)
        self.flow.go(Step.guide)

    # -- identity -------------------------------------------------------------------------
    def use_id_card(self, card: IdCardData) -> str | None:
        return self.set_identity(card.name, card.id_number, card.address, source="id_reader")

    def use_scanned_id(self, page: ScannedPage) -> str | None:
        number = page.fields.get("id_number", "")
        name = page.fields.get("name", "")
        if not number:
            return _("No ID number could be read. Place the card flat, or type the number.")
        return self.set_identity(name, number, page.fields.get("address", ""), source="scan")

    def set_identity(
        self, name: str, id_number: str, address: str = "", source: str = "keypad"
    ) -> str | None:
        """Validate and keep the applicant's identity; returns a message when invalid."""
        try:
            number = validate_id_number(id_number.strip().upper())
        except ValueError:
            return _("The ID number is not valid. Please check every digit.")
        if not name.strip():
            return _("Please enter the applicant's name.")
        a = self.visit.applicant
        a.kind, a.uscc, a.legal_representative = ApplicantKind.person, "", ""
        a.name, a.id_number, a.source = name.strip(), number, source
        a.address = address.strip() or a.address
        return None

    def accepts_enterprises(self) -> bool:
        matter = self.visit.matter
        return matter is not None and ApplicantKind.enterprise.value in matter.applicant_kinds

    def set_enterprise(
        self, name: str, uscc: str, legal_representative: str, source: str = "keypad"
    ) -> str | None:
        """An enterprise applies: its credit code (GB 32100 check character), name, and
        legal representative; returns a message when something is missing or invalid."""
        try:
            code = validate_uscc(uscc.strip().upper())
        except ValueError:
            return _("The unified social credit code is not valid. Please check every character.")
        if not name.strip():
            return _("Please enter the enterprise's name.")
        if not legal_representative.strip():
            return _("Please enter the legal representative's name.")
        a = self.visit.applicant
        a.kind, a.name, a.uscc, a.id_number = ApplicantKind.enterprise, name.strip(), code, ""
        a.legal_representative, a.source = legal_representative.strip(), source
        return None

    def use_scanned_licence(self, page: ScannedPage, legal_representative: str) -> str | None:
        code = page.fields.get("uscc", "")
        if not code:
            return _("No credit code could be read. Place the licence flat, or type the code.")
        return self.set_enterprise(page.fields.get("name", ""), code, legal_representative, "scan")

    def propose_division(self) -> Proposal:
        """Person: the ID number's county; enterprise: the registering authority's county
        (characters 3-8 of the credit code); an address naming a place beats both."""
        a = self.visit.applicant
        number = a.uscc[2:8] if a.kind is ApplicantKind.enterprise else a.id_number
        return self.jurisdictions.propose(number, a.address, self.kiosk.station_code)

    def confirm_division(self, code: str) -> str | None:
        if self.jurisdictions.get(code) is None:
            return _("Please choose your county and township.")
        self.visit.applicant.home_division = code
        return None

    def identity_done(self) -> bool:
        a = self.visit.applicant
        known = a.uscc if a.kind is ApplicantKind.enterprise else a.id_number
        return bool(a.name and known and a.home_division)

    # -- materials ------------------------------------------------------------------------
    def questions(self):
        assert self.visit.matter
        return unanswered(self.visit.matter, self.visit.answers)

    def answer(self, material_code: str, yes: bool) -> None:
        self.visit.answers[material_code] = yes
        self.visit.completeness = None

    def checklist(self) -> list[ChecklistItem]:
        assert self.visit.matter
        counts = {code: len(pages) for code, pages in self.visit.pages.items()}
        return checklist(self.visit.matter, self.visit.answers, counts)

    def add_scan(self, material_code: str, page: ScannedPage) -> DraftPage | None:
        """Keep an accepted page; a rejected capture is never kept (the resident retakes)."""
        if not page.ok or not page.data:
            return None
        return self.visit.add_page(
            material_code,
            page.data,
            page.suffix,
            content_type=page.content_type,
            width=page.width,
            height=page.height,
            ok=page.ok,
            problems=list(page.problems),
            material_guess=page.material_guess,
            confidence=page.confidence,
            ocr_text=page.ocr_text,
            ocr_confidence=page.ocr_confidence,
            fields=dict(page.fields),
        )

    # -- check ----------------------------------------------------------------------------
    def check(self) -> CompletenessResult:
        visit = self.visit
        assert visit.matter
        supplied = [
            SuppliedMaterial(code, len(pages), [p.fields for p in pages])
            for code, pages in visit.pages.items()
            if pages
        ]
        visit.completeness = self.completeness.check(
            visit.matter, supplied, visit.answers, {"id_number": visit.applicant.id_number}
        )
        visit.incomplete_accepted = None  # a new check result needs a new decision
        return visit.completeness

    # -- promise and contact --------------------------------------------------------------
    def delivery_options(self) -> list[Delivery]:
        """How this matter's result can come back (electronic where the guide names one)."""
        return delivery_options.options(self.visit.matter) if self.visit.matter else [Delivery.pickup]

    def set_contact(self, phone: str, delivery: Delivery, address: str = "") -> str | None:
        try:
            self.visit.applicant.phone = validate_phone(phone)
        except ValueError:
            return _("Please enter an 11-digit mobile number.")
        if delivery not in self.delivery_options():
            return _("Please choose how to receive the result.")
        if delivery is Delivery.mail and not address.strip():
            return _("Please enter the address to mail the result to.")
        self.visit.delivery = delivery
        self.visit.mail_address = address.strip() if delivery is Delivery.mail else ""
        return None

    def accept_incomplete(self, reason: str, by: str) -> None:
        """Staff queue this incomplete submission anyway; the reason goes in the manifest.

        Only the headless ``tongban kiosk submit --allow-incomplete --reason`` calls this;
        the resident's screens offer no way past the check."""
        visit = self.visit
        if visit.completeness is None or visit.completeness.complete:
            raise ValueError("only a checked, incomplete submission can be accepted as incomplete")
        visit.incomplete_accepted = IncompleteAccepted.parse(
            {"reason": reason.strip(), "by": by, "at": datetime.now().astimezone()},
            context="--reason",
        )

    def confirm_promise(self) -> None:
        self.visit.promise_confirmed_at = datetime.now().astimezone()

    def finalize(self) -> Finalized:
        """Reserve a receipt number and queue the submission durably (raises SchemaError)."""
        visit = self.visit
        assert visit.matter and visit.promise_confirmed_at and visit.completeness
        if not visit.completeness.complete and visit.incomplete_accepted is None:
            raise ValueError("an incomplete submission cannot be finalized")
        client_uuid, receipt_no = self.outbox.reserve(visit.matter.code, self.catalog.version.version)
        visit.client_uuid = client_uuid
        try:
            manifest = build_manifest(
                self.catalog, visit, self.kiosk, receipt_no, datetime.now().astimezone()
            )
            pages = {p.sha256: p.path.read_bytes() for ps in visit.pages.values() for p in ps}
            self.outbox.finalize(manifest, pages)
        except (SchemaError, OSError, ValueError):
            self.outbox.discard(client_uuid)
            visit.client_uuid = None
            raise
        visit.receipt_no = receipt_no
        return Finalized(receipt_no, manifest)

    # -- rating ---------------------------------------------------------------------------
    def rate(self, score: int | None) -> None:
        if score is not None:
            if not 1 <= score <= 5:
                raise ValueError("score must be 1..5")
            self.visit.rating = score
            self.outbox.queue_evaluation(self.visit.receipt_no, score)
