"""Receipt: the receipt notice's number and QR code on screen, the printed notice, and
what happens next: the notice's own transfer sentence (``transfer_statement``), so the
screen and the paper promise the same. Reprint is one tap away.
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from ..i18n import _
from ..ui import theme
from ..ui.qr import qr_texture
from ..ui.widgets import BigButton, Text, title
from ..visit.steps import Step
from ..visit.submit import receipt_notice, transfer_statement
from .base import KioskScreen


class ReceiptScreen(KioskScreen):
    title = "Receipt"

    def prompt(self) -> str:
        return _("Your materials have been received. Please take your receipt.")

    def build(self) -> None:
        visit = self.ctx.flow.visit
        assert visit.matter and visit.receipt_no
        self.body.add_widget(title(_("Materials received")))
        main = BoxLayout(orientation="horizontal", spacing=24)
        left = BoxLayout(orientation="vertical", spacing=10)
        left.add_widget(Text(_("Receipt number:")))
        left.add_widget(Text(visit.receipt_no, size=theme.TITLE_PX, bold=True, color=theme.PRIMARY))
        notice = receipt_notice(self.ctx.catalog, visit, self.ctx.kiosk, visit.receipt_no)
        left.add_widget(Text(transfer_statement(notice)))  # the printed notice's sentence
        left.add_widget(
            Text(_("The department decides whether to accept it. Keep the receipt to check progress."))
        )
        printed = visit.receipt_pdf is not None and visit.receipt_pdf.name
        left.add_widget(
            Text(
                _("Your receipt has been printed.")
                if printed
                else _("Printing failed: please ask the staff."),
                color=theme.OK_GREEN if printed else theme.DANGER,
            )
        )
        left.add_widget(BoxLayout())
        main.add_widget(left)
        main.add_widget(Image(texture=qr_texture(visit.receipt_no), size_hint_x=0.35, fit_mode="contain"))
        self.body.add_widget(main)

    def actions(self) -> list[BigButton]:
        return [
            BigButton(_("Print again"), self.reprint, kind="secondary", size_hint_x=None, width=260),
            BigButton(_("Next"), lambda: self.ctx.flow.go(Step.rating), size_hint_x=None, width=220),
        ]

    def reprint(self) -> None:
        visit = self.ctx.flow.visit
        assert visit.receipt_no
        if not self.busy:  # rendered in a child process: off the UI thread
            reprint = lambda: self.ctx.printing.receipt(visit, visit.receipt_no)  # noqa: E731
            self.run_slow(reprint, lambda *_r: self.refresh())
