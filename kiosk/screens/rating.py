"""Rating (评价, 9.1): five big buttons, or skip. Queued offline like a submission."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from ..i18n import _
from ..ui import theme
from ..ui.widgets import BigButton, Text, row, title
from .base import KioskScreen
from .feedback_button import feedback_row

LEVELS = ["Very dissatisfied", "Dissatisfied", "Fair", "Satisfied", "Very satisfied"]


class RatingScreen(KioskScreen):
    title = "Rating"

    def prompt(self) -> str:
        return _("How was this service? Please rate it, or skip.")

    def build(self) -> None:
        self.body.add_widget(title(_("How was this service?")))
        self.body.add_widget(Text(_("Your rating helps us improve. It is optional.")))
        buttons = [
            BigButton(
                f"{score}\n{_(LEVELS[score - 1])}",
                lambda s=score: self.rate(s),
                height=160,
                kind="secondary",  # all alike: the kiosk must not steer the rating
            )
            for score in range(1, 6)
        ]
        self.body.add_widget(row(*buttons, height=160))
        self.thanks = Text("", color=theme.OK_GREEN)
        self.body.add_widget(self.thanks)
        self.body.add_widget(BoxLayout())
        self.body.add_widget(feedback_row(self.ctx))

    def actions(self) -> list[BigButton]:
        return [BigButton(_("Skip"), self.finish, kind="secondary", size_hint_x=None, width=220)]

    def rate(self, score: int) -> None:
        self.ctx.service.rate(score)
        self.finish()

    def finish(self) -> None:
        self.ctx.flow.home()

    def go_back(self) -> None:
        self.finish()
