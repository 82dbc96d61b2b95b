"""Status and pickup: scan the receipt's QR code or type its number; the state from the
local outbox and, when online, from the server; results waiting at this station are
handed over by staff (assist mode).
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from ..i18n import _
from ..ui import theme
from ..ui.keypad import ReceiptPad
from ..ui.widgets import BigButton, Text, field, title
from ..visit.steps import Step
from .base import KioskScreen, scan_trouble


class StatusPickupScreen(KioskScreen):
    title = "Progress"

    def __init__(self, ctx, **kw) -> None:
        super().__init__(ctx, **kw)
        self.lines: list[tuple[str, tuple]] = []
        self.number = ""

    def prompt(self) -> str:
        return _("Hold your receipt's QR code under the camera, or type the number.")

    def build(self) -> None:
        self.body.add_widget(title(_("Check progress or pick up a result")))
        main = BoxLayout(orientation="horizontal", spacing=24)
        left = BoxLayout(orientation="vertical", spacing=10)
        left.add_widget(BigButton(_("Scan the QR code on my receipt"), self.scan_qr))
        self.number_field = field(_("Receipt number"), text=self.number)
        left.add_widget(self.number_field)
        self.result_box = BoxLayout(orientation="vertical", spacing=6, size_hint_y=None)
        self.result_box.bind(minimum_height=self.result_box.setter("height"))  # right under the field
        left.add_widget(self.result_box)
        left.add_widget(BoxLayout())
        self.pad = ReceiptPad(self.on_key)
        self.pad.value = self.number
        right = BoxLayout(orientation="vertical", size_hint_x=0.46)
        right.add_widget(self.pad)
        right.add_widget(BoxLayout())
        main.add_widget(left)
        main.add_widget(right)
        self.body.add_widget(main)
        self.show_lines()

    def on_key(self, value: str) -> None:
        self.number_field.text = value

    def actions(self) -> list[BigButton]:
        return [
            BigButton(
                _("Staff hand-over"),
                lambda: self.ctx.flow.go(Step.assist),
                kind="secondary",
                size_hint_x=None,
                width=280,
            ),
            BigButton(_("Look up"), self.look_up, size_hint_x=None, width=220),
        ]

    def show_lines(self) -> None:
        self.result_box.clear_widgets()
        for text, colour in self.lines:
            self.result_box.add_widget(Text(text, color=colour))

    def scan_qr(self) -> None:
        image = self.ctx.devices.camera.capture()
        if image is None:
            self.lines = [(_("The camera sees nothing."), theme.DANGER)]
            self.show_lines()
            return
        self.run_slow(lambda: self.ctx.scanner.codes(image), self._codes)

    def _codes(self, codes, error) -> None:
        if error or not codes:
            none_found = _("No QR code found. Please hold the receipt flat, or type the number.")
            self.lines = [(scan_trouble(error) if error else none_found, theme.DANGER)]
            self.show_lines()
            return
        self.pad.set(codes[0].strip())
        self.look_up()

    def look_up(self) -> None:
        number = self.number_field.text.strip().upper()
        self.number = number
        if not number:
            return
        local = self.ctx.outbox.status(number)
        handover = self.ctx.handovers.for_receipt(number)
        self.lines = []
        if local:
            self.lines.append((_("At this kiosk: ") + local.message, theme.INK))
        if handover:
            self.lines.append(
                (
                    _("Handed over on {at} by {staff}.").format(at=handover.at[:16], staff=handover.staff),
                    theme.OK_GREEN,
                )
            )
        if self.ctx.sync.online():
            self.lines.append((_("Asking the server…"), theme.MUTED))
            self.show_lines()
            asked = local.receipt_no if local else number  # a renumbered item: its new number
            self.run_slow(lambda: self.ctx.sync.live_status(asked), self._live)
            return
        if not local:
            self.lines.append(
                (_("Not found at this kiosk. The kiosk is offline; try again later."), theme.DANGER)
            )
        self.show_lines()

    def _live(self, status, error) -> None:
        self.lines = [line for line in self.lines if line[1] is not theme.MUTED]
        if status is not None and not error:
            self.lines.append((_("Latest: ") + status.message, theme.PRIMARY))
        elif not self.lines:
            self.lines.append((_("No application with this number was found."), theme.DANGER))
        self.show_lines()
