"""补正 at the kiosk: find the notice by receipt number, scan only its items, queue, print.

At the collecting station the notice came with the status feed and everything works
offline. Anywhere else (or before the feed brought it) the kiosk asks the server by
receipt number *and* the applicant's ID number; the server answers a wrong pair exactly
like an unknown receipt, limits lookups per kiosk, and grants this kiosk the right to
send the supplement. Every refusal is a :class:`SupplementRefused` with Chinese for the
resident. The supplement keeps the case's receipt number; it is queued (sealed) and the
sync sends it exactly once.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from shared_schema import ApplicantKind, CompletenessResult, PageRecord, SchemaError
from shared_schema.submission import RECEIPT_NO
from shared_schema.supplement import LookupAnswer, SupplementManifest, SupplementReceipt
from shared_schema.workcalendar import CHINA_TZ

from ..hardware.printer import PrintOutcome
from ..scan.completeness import check_supplement_pages
from ..scan.types import Problem
from ..store.home import KioskStore
from ..store.models import utcnow
from ..store.receipt_no import today_in_china
from ..store.sealed_queue import REFUSED
from ..store.supplements import Supplements
from ..sync.client import ApiClient
from ..sync.errors import Refused, SyncError, TransientError
from .printing import PrintService
from .submit import KioskRef

log = logging.getLogger(__name__)
_RECEIPT = re.compile(RECEIPT_NO)
OFFLINE_ZH = "网络暂时不通，无法查询其他服务站受理的申请。请稍后再试，或到原受理服务站办理补正。"
ID_NEEDED_ZH = "本服务站没有该申请的补正告知。请输入申请人身份证号，联网查询。"
ALREADY_ZH = "该补正材料已经提交，正在等待办理部门审核，无需再次提交。"
NOT_AWAITING_ZH = "该申请当前不需要补正材料。如有疑问，请咨询办理部门。"


class SupplementRefused(Exception):
    """Why the kiosk cannot go on; ``message_zh`` is shown to the resident as is."""

    def __init__(self, code: str, message_zh: str) -> None:
        super().__init__(f"{code}: {message_zh}")
        self.code = code
        self.message_zh = message_zh


@dataclass
class SupplementPage:
    """One captured page for a notice item (the scan's verdict with it)."""

    data: bytes
    content_type: str
    width: int
    height: int
    ok: bool = True
    problems: list[Problem] = field(default_factory=list)
    ocr_text: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def record(self) -> PageRecord:
        return PageRecord(
            sha256=self.sha256,
            size=len(self.data),
            content_type=self.content_type,
            width=self.width,
            height=self.height,
            ocr_text=self.ocr_text[:20_000],
        )


@dataclass(frozen=True)
class Confirmed:
    manifest: SupplementManifest
    printed: PrintOutcome | None


def receipt_from_input(raw: str) -> str:
    """A typed number or the receipt QR's payload, normalised; refused when malformed."""
    number = "".join(raw.split()).upper()
    if not _RECEIPT.fullmatch(number):
        raise SupplementRefused(
            "bad_receipt_no", "受理编号格式不正确，请核对回执上的受理编号或扫描回执二维码。"
        )
    return number


class SupplementDesk:
    """The service behind the 补正 screen (plain Python, no Kivy)."""

    def __init__(
        self,
        store: KioskStore,
        kiosk: KioskRef,
        printer: PrintService | None = None,
        client: Callable[[], ApiClient] | None = None,
    ) -> None:
        self.queue = Supplements(store)
        self.kiosk = kiosk
        self.printer = printer
        self.client = client

    def find(
        self, raw_receipt: str, id_number: str | None = None, kind: ApplicantKind = ApplicantKind.person
    ) -> LookupAnswer:
        """The open notice for the receipt: from the feed here, else online with the ID number
        (``kind`` enterprise: ``id_number`` is the unified social credit code)."""
        receipt_no = receipt_from_input(raw_receipt)
        notice = self.queue.notice(receipt_no)
        if self.queue.awaiting(receipt_no) is False:  # collected here, and the feed says it moved on
            raise SupplementRefused("not_awaiting_correction", NOT_AWAITING_ZH)
        if notice is not None:
            if self.queue.answered(receipt_no, notice.correction_round):
                raise SupplementRefused("already_supplemented", ALREADY_ZH)
            return notice
        if not id_number:
            raise SupplementRefused("id_needed", ID_NEEDED_ZH)
        return self._look_up(receipt_no, id_number, kind)

    def _look_up(self, receipt_no: str, id_number: str, kind: ApplicantKind) -> LookupAnswer:
        if self.client is None:
            raise SupplementRefused("offline", OFFLINE_ZH)
        try:
            client = self.client()
        except Exception as exc:  # not enrolled, no server configured: nothing to ask
            raise SupplementRefused("offline", OFFLINE_ZH) from exc
        proof = "uscc" if kind is ApplicantKind.enterprise else "id_number"
        body = {"receipt_no": receipt_no, proof: "".join(id_number.split()).upper()}
        try:
            answer = client.call("POST", "/supplements/lookup", json_body=body).body
            notice = LookupAnswer.parse(answer, source="POST /supplements/lookup")
        except Refused as exc:
            raise SupplementRefused(exc.code, _message_zh(exc, NOT_AWAITING_ZH)) from None
        except TransientError as exc:
            if exc.status == 429:
                raise SupplementRefused(
                    "rate_limited", _message_zh(exc, "查询次数过多，请稍后再试。")
                ) from None
            raise SupplementRefused("offline", OFFLINE_ZH) from None
        except (SyncError, SchemaError) as exc:
            raise SupplementRefused("offline", OFFLINE_ZH) from exc
        finally:
            client.close()
        if self.queue.answered(receipt_no, notice.correction_round):
            raise SupplementRefused("already_supplemented", ALREADY_ZH)
        return notice

    def submitted(self, receipt_no: str) -> str | None:
        """What the progress screen tells about a supplement queued here for this case: it
        was taken (and when), whether it has reached the platform; None when there is none."""
        row = self.queue.latest(receipt_no.strip().upper())
        if row is None:
            return None
        on = row.created_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        if (row.last_error or "").startswith(REFUSED):
            return f"补正材料已于 {on} 在本机提交，平台未接收，请联系工作人员"
        where = "已发送至平台" if row.sent_at is not None else "等待发送"
        return f"补正材料已于 {on} 在本机提交（{where}），无需再次提交"

    def check(
        self, notice: LookupAnswer, pages: Mapping[str, Sequence[SupplementPage]]
    ) -> CompletenessResult:
        """The kiosk's completeness check against the notice's items (every issue at once)."""
        return check_supplement_pages(notice.items, pages)  # type: ignore[arg-type]

    def confirm(
        self, notice: LookupAnswer, pages: Mapping[str, Sequence[SupplementPage]], now: datetime | None = None
    ) -> Confirmed:
        """Queue the supplement (refused unless complete) and print its receipt."""
        manifest = self.queue_supplement(notice, pages, now)
        return Confirmed(manifest, self.print_slip(notice, manifest, pages))

    def queue_supplement(
        self, notice: LookupAnswer, pages: Mapping[str, Sequence[SupplementPage]], now: datetime | None = None
    ) -> SupplementManifest:
        """Check and queue (sealed, durable on return); raises :class:`SupplementRefused`."""
        result = self.check(notice, pages)
        if not result.complete:
            raise SupplementRefused(
                "incomplete", "补正材料还不齐全：" + "".join(i.message for i in result.issues)
            )
        if self.queue.answered(notice.receipt_no, notice.correction_round):
            raise SupplementRefused("already_supplemented", ALREADY_ZH)
        manifest = SupplementManifest(
            client_uuid=uuid.uuid4(),
            receipt_no=notice.receipt_no,
            correction_round=notice.correction_round,
            kiosk_id=self.kiosk.kiosk_id,
            station_code=self.kiosk.station_code,
            materials=[
                {"key": item.key, "pages": [p.record() for p in pages[item.key]]}  # type: ignore[misc]
                for item in notice.items
            ],
            completeness=result,
            lookup_grant=notice.lookup_grant,
            created_at=now or utcnow(),
        )
        self.queue.queue(manifest, {p.sha256: p.data for found in pages.values() for p in found})
        return manifest

    def print_slip(
        self,
        notice: LookupAnswer,
        manifest: SupplementManifest,
        pages: Mapping[str, Sequence[SupplementPage]],
    ) -> PrintOutcome | None:
        """The 补正材料接收凭证 of a queued supplement (again, after a failure). Never raises:
        the supplement is queued whatever the printer does, so a failure (the renderer's
        too) is logged and answered as a failed outcome the screen shows with a retry."""
        if self.printer is None:
            return None
        try:
            outcome = self.printer.supplement(
                SupplementReceipt(
                    receipt_no=manifest.receipt_no,
                    unit=self.printer.unit(),
                    items=[(item.text, len(pages[item.key])) for item in notice.items],
                    received_on=today_in_china(),
                    supplement_id=str(manifest.client_uuid)[:8].upper(),
                    notice_due=notice.notice_due,
                )
            )
        except Exception as exc:
            log.exception("the supplement slip for %s was not printed", manifest.receipt_no)
            return PrintOutcome(False, Path(), f"{type(exc).__name__}: {exc}")
        if not outcome.ok:  # for staff: the resident reads only that it failed
            log.error("the supplement slip for %s was not printed: %s", manifest.receipt_no, outcome.detail)
        return outcome


def _message_zh(exc: SyncError, fallback: str) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    message = body.get("message_zh")
    return message if isinstance(message, str) and message else fallback
