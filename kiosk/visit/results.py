"""Printing results at the kiosk: what the screens (staff assist, resident self-service) call.

Two ways a result reaches paper here:

- announced for pickup at this station: already fetched and sealed by the sync cycle,
  opened (hash checked) and printed; a paper result has only a note, with the
  department's mail tracking number, until staff hand it over;
- electronic, at any kiosk: the resident gives the receipt number (QR or keypad) and the
  ID number (typed, or read from the ID card where the profile has a reader); the PDF is
  fetched, checked and printed without being stored.

Every method answers a Chinese message for the resident instead of raising for the
resident's mistakes or a network outage.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from shared_schema import ApplicantKind

from ..hardware.idreader import IdReader
from ..hardware.printer import PrintOutcome
from ..store import results
from ..store.home import KioskStore
from ..sync.client import ApiClient
from ..sync.results import ResultRefused, fetch_electronic
from .printing import PrintService

NOTHING_HERE_ZH = "本服务站没有该受理编号的办理结果，请核对受理编号或咨询工作人员"
NO_CARD_ZH = "未读到身份证，请将身份证放在读卡区后重试，或手动输入证件号码"
PRINTER_ZH = "打印机出现故障，请联系工作人员"
NOT_APPLICANT_ZH = "身份证号码与申请人不一致，不能打印办理结果，请咨询工作人员"
NO_USCC_ZH = "请输入单位的统一社会信用代码"


@dataclass(frozen=True)
class PrintAnswer:
    """``ok`` with the printer's outcome, or the resident's message why not."""

    ok: bool
    message_zh: str
    outcome: PrintOutcome | None = None


def _printed(outcome: PrintOutcome) -> PrintAnswer:
    if not outcome.ok:
        return PrintAnswer(False, PRINTER_ZH, outcome)
    return PrintAnswer(True, "办理结果已打印，请取走", outcome)


class ResultDesk:
    def __init__(
        self,
        store: KioskStore,
        printing: PrintService,
        client: Callable[[], ApiClient],
        reader: IdReader | None = None,
        applicant_id: Callable[[str], str | None] | None = None,
        applicant_uscc: Callable[[str], str | None] | None = None,
    ) -> None:
        self.applicant_id = applicant_id  # the applicant's ID number while this kiosk holds the case
        self.applicant_uscc = applicant_uscc  # an enterprise applicant's credit code, the same way
        self.store = store
        self.printing = printing
        self.client = client
        self.reader = reader

    def status(self, receipt_no: str) -> str:
        """What staff or the resident see for a receipt: stored, on its way (paper), or none."""
        views = results.for_receipt(self.store, receipt_no)
        if not views:
            return NOTHING_HERE_ZH
        view = views[0]
        if view.purged:
            return "该办理结果已交付，本机保存的副本已按期删除"
        if view.kind == "paper":
            tracking = f"，部门寄送快递单号 {view.tracking_no}" if view.tracking_no else ""
            return f"纸质办理结果正在由办理部门寄往本服务站{tracking}，到达后凭身份证领取"
        if view.stored:
            return "电子办理结果已到达本服务站，可以打印"
        return "电子办理结果正在下载，请稍后再试"

    def print_received(self, receipt_no: str) -> PrintAnswer:
        """Print the result announced for pickup here (staff, at the handover)."""
        try:
            view, pdf = results.pdf_for_receipt(self.store, receipt_no)
        except results.ResultNotHere:
            return PrintAnswer(False, self.status(receipt_no))
        assert view.sha256 is not None
        return _printed(self.printing.result(receipt_no, pdf, view.sha256))

    def printable_here(self, receipt_no: str) -> bool:
        """A result PDF for this receipt is kept at this station."""
        views = results.for_receipt(self.store, receipt_no)
        return bool(views) and views[0].stored and not views[0].purged

    def print_for_resident(
        self, receipt_no: str, identity: str | None = None, kind: ApplicantKind = ApplicantKind.person
    ) -> PrintAnswer:
        """The resident's own print after the ID check (typed number, or the card when None):
        the result kept here, checked against the applicant, else fetched as electronic. An
        enterprise (``kind``) proves itself with its unified social credit code, typed."""
        if kind is ApplicantKind.enterprise:
            if not identity:
                return PrintAnswer(False, NO_USCC_ZH)
            if not self.printable_here(receipt_no):
                return self.print_electronic(receipt_no, identity)
            return self._print_kept(receipt_no, identity, self.applicant_uscc)
        if not self.printable_here(receipt_no):
            return self.print_electronic(receipt_no, identity)
        if identity is None:
            card = self.reader.read() if self.reader is not None else None
            if card is None:
                return PrintAnswer(False, NO_CARD_ZH)
            identity = card.id_number
        return self._print_kept(receipt_no, identity, self.applicant_id)

    def _print_kept(
        self, receipt_no: str, identity: str, applicant_of: Callable[[str], str | None] | None
    ) -> PrintAnswer:
        """The result kept here, for the applicant only (``applicant_of``: their identity)."""
        applicant = applicant_of(receipt_no) if applicant_of is not None else None
        typed = "".join(identity.split()).upper()
        if not applicant or not secrets.compare_digest(applicant.upper().encode(), typed.encode()):
            return PrintAnswer(False, NOT_APPLICANT_ZH)
        return self.print_received(receipt_no)

    def print_electronic(self, receipt_no: str, identity: str | None = None) -> PrintAnswer:
        """Fetch and print an electronic result; ``identity`` None reads the ID card."""
        if identity is None:
            card = self.reader.read() if self.reader is not None else None
            if card is None:
                return PrintAnswer(False, NO_CARD_ZH)
            identity = card.id_number
        client = self.client()
        try:
            found = fetch_electronic(client, receipt_no, identity)
        except ResultRefused as exc:
            return PrintAnswer(False, exc.message_zh)
        finally:
            client.close()
        return _printed(self.printing.result(found.receipt_no, found.pdf, found.sha256))
