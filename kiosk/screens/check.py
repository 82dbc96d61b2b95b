"""Check: the kiosk's formal check (形式审查). Everything missing or wrong is shown at
once (一次性告知) and can be printed; the resident adds what is missing or stops.

Wording follows the standard: the kiosk *receives* materials for the department
(材料接收/代收); it never says the matter is accepted (受理).
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from ..i18n import _
from ..ui import theme
from ..ui.widgets import BigButton, Text, scroll_list, title
from ..visit.steps import Step
from .base import KioskScreen


class CheckScreen(KioskScreen):
    title = "Check"

    def on_pre_enter(self, *a: object) -> None:
        self.note = ""
        self.result = self.ctx.service.check()
        super().on_pre_enter(*a)

    def prompt(self) -> str:
        if self.result.complete:
            return _("Your materials are complete.")
        return _("Some materials are missing. Everything is listed on the screen.")

    def build(self) -> None:
        if self.result.complete:
            self.body.add_widget(title(_("Your materials are complete")))
            self.body.add_widget(
                Text(
                    _(
                        "The kiosk can now receive your materials and pass them to the department "
                        "that handles your matter. "
                        "Receiving them is not yet acceptance: the department decides."
                    ),
                )
            )
            self.body.add_widget(BoxLayout())
        else:
            self.body.add_widget(title(_("Please complete your materials")))
            self.body.add_widget(
                Text(_("All of the following must be corrected (told once, in full):"), color=theme.DANGER)
            )
            view, grid = scroll_list(spacing=6)
            for index, issue in enumerate(self.result.issues, start=1):
                grid.add_widget(Text(f"{index}. {issue.message}", size=theme.LARGE_PX))
            self.body.add_widget(view)
        self.message = Text(self.note, color=theme.OK_GREEN)
        self.body.add_widget(self.message)

    def actions(self) -> list[BigButton]:
        if self.result.complete:
            return [
                BigButton(
                    _("Next: promise"), lambda: self.ctx.flow.go(Step.promise), size_hint_x=None, width=320
                )
            ]
        return [
            BigButton(_("Print this list"), self.print_notice, kind="secondary", size_hint_x=None, width=260),
            BigButton(_("Stop for now"), self.go_home, kind="secondary", size_hint_x=None, width=240),
            BigButton(
                _("Add materials"), lambda: self.ctx.flow.go(Step.materials), size_hint_x=None, width=260
            ),
        ]

    def print_notice(self) -> None:
        if not self.busy:  # rendered in a child process: off the UI thread
            self.run_slow(lambda: self.ctx.printing.correction(self.ctx.flow.visit), self._printed)

    def _printed(self, outcome, error) -> None:
        if error or outcome is None:
            self.note = _("Printing failed: ") + f"{type(error).__name__}"
        else:
            self.note = _("The list is printing.") if outcome.ok else _("Printing failed: ") + outcome.detail
        self.message.text = self.note
