"""What the kiosk prints: receipt notice, one-time correction notice, the guide.

Every document goes to the profile's printer as a PDF (kept for reprints) and as text
lines for thermal printers; a printer failure is reported, never raised, because the
resident's submission is already safe in the outbox by then. The renderers (ReportLab)
are imported at the first print, not at launch.
"""

from __future__ import annotations

from pathlib import Path

from shared_schema import Catalog, Matter

from ..hardware.printer import Document, Printer, PrintOutcome
from ..receipt_no import today_in_china
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

    def receipt(self, visit: Visit, receipt_no: str) -> PrintOutcome:
        from shared_schema.render.receipt_notice import receipt_lines, render_receipt_notice

        notice = receipt_notice(self.catalog, visit, self.kiosk, receipt_no)
        doc = Document(
            "receipt", receipt_no, render_receipt_notice(notice), receipt_lines(notice), qr=receipt_no
        )
        outcome = self._send(doc)
        visit.receipt_pdf = outcome.pdf_path
        return outcome

    def correction(self, visit: Visit) -> PrintOutcome:
        from shared_schema.render.correction_notice import (
            CorrectionNotice,
            correction_lines,
            render_correction_notice,
        )

        assert visit.matter and visit.completeness
        notice = CorrectionNotice(
            applicant_name=visit.applicant.name,
            matter_name=visit.matter.name,
            issues=list(visit.completeness.issues),
            unit=self.unit(),
            issued_on=today_in_china(),
            consultation_phone=visit.matter.guide.consultation_phone,
        )
        pdf = render_correction_notice(notice)
        return self._send(Document("correction", visit.matter.code, pdf, correction_lines(notice)))

    def guide(self, matter: Matter) -> PrintOutcome:
        from shared_schema.render.guide import guide_rows, render_guide

        lines = [matter.name, "办事指南"] + [f"{k}：{v}" for k, v in guide_rows(matter)]
        lines += [f"材料：{m.name}" for m in matter.guide.materials]
        return self._send(Document("guide", matter.code, render_guide(matter), lines))
