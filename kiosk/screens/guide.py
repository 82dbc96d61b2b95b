"""Guide: every element of the service guide readable on screen, the materials with a
picture of each, and the option to print the guide to take home.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from shared_schema.render.guide import guide_rows

from ..i18n import _
from ..ui import theme
from ..ui.icons import icon_path
from ..ui.widgets import BigButton, Text, scroll_list, title
from ..visit.checklist import FORM_WORDS
from ..visit.steps import Step
from .base import KioskScreen

FIRST_ROWS = 7  # about a screenful
ROWS_PER_FRAME = 4
FRAME_S = 1 / 30  # not 0: Kivy would run a 0-interval again within the same frame


class GuideScreen(KioskScreen):
    title = "Service guide"

    def __init__(self, ctx, **kw) -> None:
        super().__init__(ctx, **kw)
        self._filling = None

    def prompt(self) -> str:
        return _("Please read the guide. The materials you need are listed below.")

    def build(self) -> None:
        matter = self.ctx.flow.visit.matter
        assert matter is not None
        self.body.add_widget(title(matter.name))
        view, grid = scroll_list(spacing=6)
        rows = [lambda t=f"{label}：{text}": Text(t) for label, text in guide_rows(matter)]
        rows.append(lambda: Text(_("Materials to bring:"), bold=True, color=theme.PRIMARY))
        rows += [lambda r=req: self.material_row(r) for req in matter.guide.materials]
        self.fill_progressively(grid, rows)
        self.body.add_widget(view)
        self.message = Text("", color=theme.OK_GREEN)
        self.body.add_widget(self.message)

    def fill_progressively(self, grid, rows: list) -> None:
        """What the screen shows first is built now; the rows below the fold follow in the
        next frames, so the guide appears at once and is scrollable a moment later."""
        if self._filling is not None:
            self._filling.cancel()
        for make in rows[:FIRST_ROWS]:
            grid.add_widget(make())
        rest = rows[FIRST_ROWS:]

        def more(_dt: float) -> bool:
            for make in rest[:ROWS_PER_FRAME]:
                grid.add_widget(make())
            del rest[:ROWS_PER_FRAME]
            return bool(rest)  # False stops the interval

        self._filling = Clock.schedule_interval(more, FRAME_S) if rest else None

    def on_leave(self, *_a: object) -> None:
        if self._filling is not None:
            self._filling.cancel()
            self._filling = None

    def material_row(self, req) -> BoxLayout:
        item = BoxLayout(orientation="horizontal", size_hint_y=None, height=170, spacing=16)
        icon = str(icon_path(req.hints.kind, self.ctx.home / "icons"))
        item.add_widget(Image(source=icon, size_hint_x=None, width=230))
        words = f"{req.name}（{FORM_WORDS[req.form]} {req.copies} 份）"
        if req.condition:
            words += "\n" + _("Only if: ") + req.condition
        item.add_widget(Text(words))
        return item

    def actions(self) -> list[BigButton]:
        return [
            BigButton(_("Print guide"), self.print_guide, kind="secondary", size_hint_x=None, width=260),
            BigButton(
                _("Start applying"), lambda: self.ctx.flow.go(Step.identity), size_hint_x=None, width=300
            ),
        ]

    def print_guide(self) -> None:
        matter = self.ctx.flow.visit.matter
        assert matter is not None
        if not self.busy:  # rendered in a child process: off the UI thread
            self.run_slow(lambda: self.ctx.printing.guide(matter), self._printed)

    def _printed(self, outcome, error) -> None:
        if error or outcome is None:
            self.message.text = _("Printing failed: ") + f"{type(error).__name__}"
        else:
            ok = outcome.ok
            self.message.text = _("The guide is printing.") if ok else _("Printing failed: ") + outcome.detail
