"""What the visit needs from the rest of the kiosk, as small interfaces.

The scan pipeline (``kiosk/scan``) and the backbone (``kiosk/outbox.py``, ``kiosk/sync``)
are written by others; the app talks to them only through these shapes, and
``kiosk/visit/adapters.py`` fits the real implementations to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from shared_schema import (
    CompletenessResult,
    EvaluationStage,
    Handover,
    Matter,
    RatingReason,
    SubmissionManifest,
)

if TYPE_CHECKING:
    import numpy as np

    from kiosk.store.handovers import HandoverStatus

    from ..hardware.camera import Still


@dataclass
class ScannedPage:
    """One capture after the pipeline: accepted or not, and the stored image bytes."""

    ok: bool
    problems: list[tuple[str, str]]  # (code, Chinese message)
    data: bytes = b""
    suffix: str = ".jpg"
    content_type: str = "image/jpeg"
    width: int = 0
    height: int = 0
    material_guess: str | None = None
    confidence: float = 0.0
    ocr_text: str = ""
    ocr_confidence: float | None = None
    fields: dict[str, str] = field(default_factory=dict)


class ScannerStopped(RuntimeError):
    """The scanner's worker ended during a request; the next request starts a new one."""


class Scanner(Protocol):
    """Turns a camera still into a checked page for a matter (slow: call off the UI thread).

    The still is a file (:class:`~kiosk.hardware.camera.Still`) the scanner reads itself;
    an array is accepted too."""

    def scan(self, image: Still | np.ndarray, source: str, matter: Matter | None) -> ScannedPage: ...

    def codes(self, image: Still | np.ndarray) -> list[str]:
        """QR / barcode payloads seen in a frame (receipt QR at the status screen)."""
        ...


@dataclass
class SuppliedMaterial:
    code: str
    pages: int
    fields: list[dict[str, str]]


class Completeness(Protocol):
    def check(
        self, matter: Matter, supplied: list[SuppliedMaterial], answers: dict[str, bool], applicant: dict
    ) -> CompletenessResult: ...


@dataclass
class QueueCounts:
    """What waits to be sent (待发送): submissions, supplements, handovers, mailings, ratings
    and 意见建议 alike."""

    waiting: int = 0  # every item queued and not sent yet (submissions being sent excluded)
    sending: int = 0
    failed: int = 0  # refused by the server, held for staff (any kind of item)
    failed_reasons: list[str] = field(default_factory=list)
    supplements: int = 0  # of ``waiting``: 补正材料
    handovers: int = 0  # of ``waiting``: 送达 records
    mailings: int = 0  # of ``waiting``: 原件寄送 tracking numbers
    evaluations: int = 0  # of ``waiting``: ratings
    feedback: int = 0  # of ``waiting``: residents' 意见建议
    oldest_waiting_at: datetime | None = None  # oldest unsent submission or supplement (附录 A)


@dataclass
class LocalStatus:
    receipt_no: str
    state: str
    message: str = ""
    updated_at: datetime | None = None


class Outbox(Protocol):
    """The kiosk's durable queue of finalized submissions (kiosk/store)."""

    def reserve(self, matter_code: str, catalog_version: str) -> tuple[str, str]:
        """A new (client_uuid, receipt_no), issued offline."""
        ...

    def finalize(self, manifest: SubmissionManifest, pages: dict[str, bytes]) -> None: ...

    def discard(self, client_uuid: str) -> None: ...

    def counts(self) -> QueueCounts: ...

    def status(self, receipt_no: str) -> LocalStatus | None: ...

    def recent(self, limit: int = 20) -> list[LocalStatus]: ...

    def queue_evaluation(
        self,
        receipt_no: str | None,
        score: int,
        *,
        stage: EvaluationStage = EvaluationStage.collect,
        reasons: Iterable[RatingReason] = (),
    ) -> None: ...

    def record_handover(self, receipt_no: str, **fields: object) -> Handover:
        """Queue a handover (送达) for sync; raises SchemaError on invalid fields."""
        ...

    def handover_status(self, receipt_no: str) -> HandoverStatus | None: ...

    def held_handovers(self) -> list[tuple[Handover, str]]:
        """Handovers the server refused, with the reason (kept for staff)."""
        ...

    def applicant_id(self, receipt_no: str) -> str | None:
        """The applicant's ID number of a case collected at this kiosk, if still kept."""
        ...

    def applicant_uscc(self, receipt_no: str) -> str | None:
        """An enterprise applicant's credit code of a case collected here, if still kept."""
        ...


class SyncControl(Protocol):
    """The background sync worker as the UI sees it."""

    def online(self) -> bool: ...

    def last_sync(self) -> datetime | None: ...

    def force(self) -> None: ...

    def live_status(self, receipt_no: str) -> LocalStatus | None: ...
