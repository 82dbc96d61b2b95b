"""What the kiosk prints: receipt notice, one-time correction notice, the guide, a
department's result (办理结果), a finished PDF printed as it came, and the 意见建议 slip.

Every document goes to the profile's printer as a PDF (kept for reprints) and as text
lines for thermal printers; a printer failure is reported, never raised, because the
resident's submission is already safe in the outbox by then. The renderers (ReportLab)
run in a child process per print (``render_child.py``), never in the app.
"""

from __future__ import annotations

from pathlib import Path

from shared_schema import Catalog, Matter
from shared_schema.forms import CorrectionNotice
from shared_schema.supplement import SupplementReceipt

from ..hardware.printer import Document, Printer, PrintOutcome
from ..store.receipt_no import today_in_china
from .render_child import render
from .submit import KioskRef, receipt_notice, unit_name
from .visit import Visit


class PrintService:
    def __init__(self, catalog: Catalog, kiosk: KioskRef, printer: Printer) -> None:
        self.catalog = catalog
        self.kiosk = kiosk
        self.printer = printer

    def _send(self, doc: Document) -> PrintOutcome:
        try:
            return self.printer.print(doc)
        except Exception as exc:  # a driver can fail in any way; the visit goes on
            return PrintOutcome(False, Path(), f"{type(exc).__name__}: {exc}")

    def unit(self) -> str:
        return unit_name(self.catalog, self.kiosk.station_code)

    def local(self, matter: Matter) -> Matter:
        """The matter as this station's county shows it: its own address, phone, hours."""
        return self.catalog.local_matter(matter, self.kiosk.station_code)

    def receipt(self, visit: Visit, receipt_no: str) -> PrintOutcome:
        notice = receipt_notice(self.catalog, visit, self.kiosk, receipt_no)
        pdf, lines = render("receipt", notice)
        outcome = self._send(Document("receipt", receipt_no, pdf, lines, qr=receipt_no))
        visit.receipt_pdf = outcome.pdf_path
        return outcome

    def correction(self, visit: Visit) -> PrintOutcome:
        assert visit.matter and visit.completeness
        notice = CorrectionNotice(
            applicant_name=visit.applicant.name,
            matter_name=visit.matter.name,
            issues=list(visit.completeness.issues),
            unit=self.unit(),
            issued_on=today_in_china(),
            consultation_phone=self.local(visit.matter).guide.consultation_phone,
        )
        pdf, lines = render("correction", notice)
        return self._send(Document("correction", visit.matter.code, pdf, lines))

    def result(self, receipt_no: str, pdf: bytes, sha256: str) -> PrintOutcome:
        """The result PDF as the department issued it (its 核验码 QR already on it); a
        thermal printer, which cannot print it, gets a note for the staff instead."""
        lines = [
            "办理结果", f"受理编号：{receipt_no}", f"SHA-256：{sha256[:16]}…",
            "本打印机无法打印办理结果 PDF，请工作人员用 A4 打印机打印。",
        ]  # fmt: skip
        return self._send(Document("result", receipt_no, pdf, lines))

    def guide(self, matter: Matter) -> PrintOutcome:
        pdf, lines = render("guide", self.local(matter))
        return self._send(Document("guide", matter.code, pdf, lines))

    def supplement(self, receipt: SupplementReceipt) -> PrintOutcome:
        """补正材料接收凭证, with the case's own receipt number in its QR."""
        pdf, lines = render("supplement", receipt)
        return self._send(Document("supplement", receipt.receipt_no, pdf, lines, qr=receipt.receipt_no))

    def feedback(self, feedback_no: str, matter: Matter) -> PrintOutcome:
        """意见建议凭条: the feedback number to read the answer by (not the words left)."""
        from shared_schema.render.feedback_slip import FeedbackSlip  # imports ReportLab: only when printed

        slip = FeedbackSlip(feedback_no, matter.name, self.unit(), today_in_china())
        pdf, lines = render("feedback", slip)
        return self._send(Document("feedback", feedback_no, pdf, lines, qr=feedback_no))
