"""原件寄送 in the assist panel: the receipt number and the mail tracking number of the
originals sent with the transfer slip (the staff name is the panel's own field).

A form part of :class:`~kiosk.screens.assist.AssistScreen` (behind its PIN), kept apart
so the panel stays one screen of short sections; :class:`~kiosk.visit.mailing.MailingDesk`
decides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from ..i18n import _
from ..ui import theme
from ..ui.keypad import code_pad
from ..ui.widgets import BigButton, Text, field
from ..visit.mailing import MailingDesk, MailingRefused


class MailingForm:
    def __init__(self, desk: MailingDesk, staff: TextInput, say: Callable[..., None]) -> None:
        self.desk, self.staff, self.say = desk, staff, say
        self.receipt = field(_("Receipt number (mailing)"))
        self.tracking = field(_("Mail tracking number"))

    def add_to(self, grid: Any) -> None:
        for line in self.desk.held():
            grid.add_widget(Text("✗ " + _("Mailing refused: ") + line, color=theme.DANGER))
        grid.add_widget(Text(_("Originals mailed with the transfer slip:"), bold=True))
        grid.add_widget(self.receipt)
        grid.add_widget(self.tracking)
        grid.add_widget(BigButton(_("Record mailing"), self.record, kind="ok"))

    def pads(self) -> list[tuple[str, Callable[[], Widget]]]:
        return [
            (_("Mailing no."), lambda: code_pad(self.receipt)),
            (_("Tracking no."), lambda: code_pad(self.tracking)),
        ]

    def record(self) -> None:
        try:
            view = self.desk.record(self.receipt.text, self.tracking.text, self.staff.text)
        except MailingRefused as refused:
            self.say(refused.message, theme.DANGER)
            return
        self.receipt.text = self.tracking.text = ""
        done = _("Mailing of {n} recorded: tracking number {t}.")
        self.say(done.format(n=view.receipt_no, t=view.tracking_no))
