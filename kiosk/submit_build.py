"""``tongban kiosk submit``: a submission from files, through the app's own visit.

Staff and scripts queue a submission without the touch screen, but not by a path of
their own: the files become the pages of a :class:`~kiosk.visit.visit.Visit`, and
:class:`~kiosk.visit.service.VisitService` checks the identity, runs the same
completeness check (一次性告知), builds the same manifest and finalizes it into the same
outbox as the resident's visit. An incomplete submission is refused unless staff say
why (``--allow-incomplete --reason …``); the reason travels in the manifest.

The applicant file is JSON (documented in docs/kiosk.md)::

    {"name": "王秀英", "id_number": "140502…", "phone": "13800138000",
     "address": "晋城市城区…", "home_division": "140502"}

``kind`` defaults to ``person``; an enterprise gives ``"kind": "enterprise"``, ``uscc``
and ``legal_representative`` instead of ``id_number``. Without ``home_division`` the
county is proposed from the address or the ID number, as the app proposes it.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from pydantic import Field

from shared_schema import ApplicantKind, Catalog, CompletenessIssue, Delivery, Matter
from shared_schema.base import SchemaModel

from .store import KioskIdentity, KioskStore
from .visit.backbone import StoreOutbox
from .visit.flow import VisitFlow
from .visit.ports import Completeness, ScannedPage
from .visit.scan_adapter import PipelineCompleteness
from .visit.service import Finalized, VisitService
from .visit.submit import KioskRef

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "TIFF": "image/tiff"}
SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/tiff": ".tif"}
DRAFTS = "cli-drafts"  # beside the app's drafts/, which the app empties on start
DECIDED_BY = "tongban kiosk submit"


class SubmissionRefused(Exception):
    """The submission cannot be queued as given; ``issues`` lists what the check found."""

    def __init__(self, message: str, issues: list[CompletenessIssue] | None = None) -> None:
        super().__init__(message)
        self.issues = issues or []


class ApplicantFile(SchemaModel):
    """The ``--applicant`` JSON; also what the demo writes as ``person.json``."""

    kind: ApplicantKind = ApplicantKind.person
    name: str = Field(min_length=1, max_length=100)
    id_number: str = ""
    uscc: str = ""
    legal_representative: str = ""
    phone: str
    address: str = ""
    home_division: str = ""


@dataclass
class PageFile:
    """One page image read from disk, as a capture the visit keeps."""

    data: bytes
    content_type: str
    width: int
    height: int
    name: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @classmethod
    def read(cls, path: Path) -> PageFile:
        return cls.of(Path(path).read_bytes(), str(path))

    @classmethod
    def of(cls, data: bytes, name: str) -> PageFile:
        from PIL import Image  # the scan extra; only needed when pages come from files

        try:
            with Image.open(BytesIO(data)) as img:
                fmt, (width, height) = img.format or "", img.size
        except Exception as exc:
            raise ValueError(f"{name}: not an image ({exc})") from None
        if fmt not in CONTENT_TYPES:
            raise ValueError(f"{name}: unsupported image format {fmt or '?'} (JPEG, PNG, WEBP, TIFF)")
        return cls(data, CONTENT_TYPES[fmt], width, height, name)

    def scanned(self) -> ScannedPage:
        return ScannedPage(
            ok=True,
            problems=[],
            data=self.data,
            suffix=SUFFIXES[self.content_type],
            content_type=self.content_type,
            width=self.width,
            height=self.height,
        )


@dataclass
class HeadlessSubmission:
    matter_code: str
    applicant: ApplicantFile
    pages: dict[str, list[PageFile]]
    answers: dict[str, bool] = field(default_factory=dict)
    delivery: Delivery = Delivery.pickup
    address: str = ""
    incomplete_reason: str | None = None  # --allow-incomplete --reason


def assign_pages(
    matter: Matter, loose: list[PageFile], explicit: dict[str, list[PageFile]]
) -> dict[str, list[PageFile]]:
    """Loose pages fill the guide's required materials in order (min_pages each); any left
    over go to the last of them. Explicit ``CODE=FILE`` pages go where they say."""
    known = {r.code for r in matter.guide.materials}
    unknown = sorted(set(explicit) - known)
    if unknown:
        raise ValueError(
            f"matter {matter.code} has no material(s) {', '.join(unknown)}; "
            f"its materials: {', '.join(sorted(known))}"
        )
    result = {code: list(pages) for code, pages in explicit.items()}
    targets = [r for r in matter.guide.materials if r.required and r.code not in explicit]
    queue = list(loose)
    for req in targets:
        if not queue:
            break
        take, queue = queue[: req.min_pages], queue[req.min_pages :]
        result.setdefault(req.code, []).extend(take)
    if queue:
        last = targets[-1].code if targets else matter.guide.materials[-1].code
        result.setdefault(last, []).extend(queue)
    return result


def _identify(service: VisitService, who: ApplicantFile) -> None:
    if who.kind is ApplicantKind.enterprise:
        problem = service.set_enterprise(who.name, who.uscc, who.legal_representative, source="file")
        if problem is None and who.address:
            service.visit.applicant.address = who.address.strip()
    else:
        problem = service.set_identity(who.name, who.id_number, who.address, source="file")
    if problem:
        field_name = "uscc" if who.kind is ApplicantKind.enterprise else "id_number"
        raise SubmissionRefused(f"applicant {field_name}: {problem}")
    division = who.home_division or service.propose_division().division_code
    if not division:
        raise SubmissionRefused("applicant home_division: none given and none can be proposed")
    problem = service.confirm_division(division)
    if problem:
        raise SubmissionRefused(f"applicant home_division {division}: {problem}")


def submit(
    store: KioskStore,
    identity: KioskIdentity,
    catalog: Catalog,
    request: HeadlessSubmission,
    completeness: Completeness | None = None,
) -> Finalized:
    """Run the visit from files and finalize it; raises SubmissionRefused, KeyError (an
    unknown matter) or SchemaError (the manifest does not validate)."""
    root = store.home / DRAFTS / uuid.uuid4().hex  # each run its own: VisitFlow empties it
    flow = VisitFlow(root)
    kiosk = KioskRef(identity.kiosk_id, identity.station_code)
    service = VisitService(
        catalog, flow, kiosk, StoreOutbox(store, identity), completeness or PipelineCompleteness()
    )
    try:
        service.choose_matter(request.matter_code)
        _identify(service, request.applicant)
        matter = service.visit.matter
        assert matter is not None
        conditional = {r.code for r in matter.guide.materials if r.condition}
        for code, yes in request.answers.items():
            if code not in conditional:
                raise SubmissionRefused(
                    f"--answer {code}: not a question of {matter.code} "
                    f"(its questions: {', '.join(sorted(conditional)) or 'none'})"
                )
            service.answer(code, yes)
        for code, files in request.pages.items():
            for page in files:
                service.add_scan(code, page.scanned())
        problem = service.set_contact(request.applicant.phone, request.delivery, request.address)
        if problem:
            raise SubmissionRefused(f"contact: {problem}")
        result = service.check()
        if not result.complete:
            if not request.incomplete_reason:
                raise SubmissionRefused(
                    "the submission is incomplete; add the missing pages, or queue it anyway "
                    "with --allow-incomplete --reason '…'",
                    result.issues,
                )
            service.accept_incomplete(request.incomplete_reason, DECIDED_BY)
        service.confirm_promise()
        return service.finalize()
    finally:
        flow.visit.wipe()
        shutil.rmtree(root, ignore_errors=True)
