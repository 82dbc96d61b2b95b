"""意见建议 (standard 5.5): a resident tells what was hard about this matter or its guide.

Opened from the guide and from the rating screen. Four large reasons to tap, words of
their own if they like (the pinyin pad), then a plain thank-you with the feedback number
(made here, so it is there offline too) saying what happens next and where the answer
will be found: type the number (or the receipt number given with it) on the progress
screen. The note is queued sealed (:mod:`kiosk.visit.feedback`) and sent by the sync
worker; nothing waits on the network here.
"""

from __future__ import annotations

import logging

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from shared_schema.feedback_no import display

from ..i18n import _
from ..ui import theme
from ..ui.hanzi_pad import HanziPad
from ..ui.widgets import BigButton, Text, field, title
from ..visit.feedback import REASONS, FeedbackRefused, Reason
from ..visit.steps import Step
from .base import KioskScreen

log = logging.getLogger(__name__)
REASON_H = 92  # four of them and the pinyin pad fit a 1280 × 800 screen


class FeedbackScreen(KioskScreen):
    title = "Feedback"

    def __init__(self, ctx, **kw) -> None:
        super().__init__(ctx, **kw)
        self.reset()

    def reset(self) -> None:
        self.reason: Reason | None = None
        self.typed = ""
        self.sent = False
        self.problem = ""
        self.feedback_no = ""  # the number the resident keeps, once sent
        self.print_note = ""  # what became of the slip, if one was asked for

    def on_pre_enter(self, *a: object) -> None:
        self.reset()  # every visit to this screen starts empty
        super().on_pre_enter(*a)

    def prompt(self) -> str:
        return _("What was hard? Tap one reason. You may add a few words.")

    @property
    def receipt_no(self) -> str | None:
        return self.ctx.flow.visit.receipt_no

    def build(self) -> None:
        if self.sent:
            self.build_thanks()
            return
        matter = self.ctx.flow.visit.matter
        main = BoxLayout(orientation="horizontal", spacing=24)  # no title: the header says 意见建议
        left = BoxLayout(orientation="vertical", spacing=10)
        about = _("About {matter}, tap the reason that fits:").format(matter=matter.name if matter else "")
        left.add_widget(Text(about, bold=True))
        grid = GridLayout(cols=1, spacing=10, size_hint_y=None)
        grid.height = len(REASONS) * (REASON_H + 10) - 10
        for reason in REASONS:
            chosen = reason is self.reason
            grid.add_widget(
                BigButton(("● " if chosen else "○ ") + _(reason.label), lambda r=reason: self.choose(r),
                          kind="primary" if chosen else "secondary", height=REASON_H)
            )  # fmt: skip
        left.add_widget(grid)
        self.problem_text = Text(self.problem, color=theme.DANGER)
        left.add_widget(self.problem_text)
        left.add_widget(BoxLayout())
        right = BoxLayout(orientation="vertical", spacing=8, size_hint_x=0.55)
        self.words = field(_("Your words (optional)"), text=self.typed)
        right.add_widget(self.words)
        right.add_widget(HanziPad(self.words))
        right.add_widget(BoxLayout())
        main.add_widget(left)
        main.add_widget(right)
        self.body.add_widget(main)

    def build_thanks(self) -> None:
        self.body.add_widget(title(_("Thank you for your feedback!")))
        number = display(self.feedback_no)
        self.body.add_widget(Text(_("Your feedback number: {no}").format(no=number), bold=True,
                                  size=theme.LARGE_PX, color=theme.PRIMARY))  # fmt: skip
        lines = [_("It goes to the city's administrator, who reads every note and answers it.")]
        if not self.ctx.sync.online():
            lines.append(_("The kiosk is offline now: your feedback is kept and sent once it is online."))
        how = _("To read the answer at any kiosk: on the home screen tap Progress and pickup and type {no}.")
        lines.append(how.format(no=number))
        if self.receipt_no:
            also = _("Your receipt number {no} also finds it at this station.")
            lines.append(also.format(no=self.receipt_no))
        lines.append(_("Please note the number down or take a photo of it, or print it on a slip."))
        for line in lines:
            self.body.add_widget(Text(line, size=theme.LARGE_PX))
        if self.print_note:
            self.body.add_widget(Text(self.print_note, size=theme.LARGE_PX, color=theme.PRIMARY))
        self.body.add_widget(BoxLayout())

    def actions(self) -> list[BigButton]:
        if self.sent:
            slip = _("Print the number")
            return [
                BigButton(slip, self.print_slip, kind="secondary", size_hint_x=None, width=300),
                BigButton(_("Done"), self.go_back, kind="ok", size_hint_x=None, width=260),
            ]
        return [BigButton(_("Send feedback"), self.send, kind="ok", size_hint_x=None, width=300)]

    def choose(self, reason: Reason) -> None:
        self.reason, self.typed, self.problem = reason, self.words.text, ""
        self.refresh()

    def send(self) -> None:
        desk, matter = self.ctx.feedback, self.ctx.flow.visit.matter
        self.typed = self.words.text
        if self.reason is None:
            self.problem = _("Please tap a reason first.")
        elif desk is None or matter is None:
            self.problem = _("Feedback cannot be taken at this kiosk. Please ask the staff.")
        else:
            try:
                note = desk.leave(matter.code, self.reason, self.typed, self.receipt_no)
            except FeedbackRefused as exc:
                self.problem = exc.message_zh
            else:
                self.sent, self.feedback_no = True, note.feedback_no or ""
                self.ctx.sync.force()  # sent now when the kiosk is online
        self.refresh()
        if self.problem:
            self.announce(self.problem)

    def print_slip(self) -> None:
        """意见建议凭条 with the number (the renderer runs in a child process: off the UI thread)."""
        matter = self.ctx.flow.visit.matter
        if self.busy or matter is None or not self.feedback_no:
            return
        number = self.feedback_no
        self.run_slow(lambda: self.ctx.printing.feedback(number, matter), self._printed)

    def _printed(self, outcome, error) -> None:
        if error is None and outcome is not None and outcome.ok:
            self.print_note = _("The slip is printed. Please take it.")
        else:
            log.warning("feedback slip %s not printed: %s", self.feedback_no, error or outcome.detail)
            self.print_note = _("The slip could not be printed. Note the number down or ask the staff.")
        self.refresh()
        self.announce(self.print_note)

    def go_back(self) -> None:
        """Back where it was opened: the rating once the visit is finalized, else the guide."""
        self.ctx.flow.go(Step.rating if self.ctx.flow.visit.finalized else Step.guide)
