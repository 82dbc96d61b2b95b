"""Guide: every element of the service guide readable on screen, the materials with a
picture of each, and the option to print the guide to take home.
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from shared_schema.render.guide import guide_rows

from ..i18n import _
from ..ui import theme
from ..ui.icons import icon_path
from ..ui.pager import Pager, TextBlock, WidgetBlock
from ..ui.widgets import BigButton, Text, title
from ..visit.checklist import FORM_WORDS
from ..visit.steps import Step
from .base import KioskScreen
from .feedback_button import feedback_row

MATERIAL_ROW_H = 170


class GuideScreen(KioskScreen):
    title = "Service guide"

    def prompt(self) -> str:
        return _("Please read the guide. Tap Next page to read on; the materials you need are listed too.")

    def build(self) -> None:
        matter = self.ctx.flow.visit.matter
        assert matter is not None
        self.body.add_widget(title(matter.name))
        blocks: list = [TextBlock(f"{label}：{text}") for label, text in guide_rows(matter)]
        blocks.append(TextBlock(_("Materials to bring:"), bold=True, color=theme.PRIMARY))
        blocks += [
            WidgetBlock(lambda r=req: self.material_row(r), MATERIAL_ROW_H) for req in matter.guide.materials
        ]
        self.pager = Pager(blocks)
        self.body.add_widget(self.pager)
        self.message = Text("", color=theme.OK_GREEN)
        self.body.add_widget(feedback_row(self.ctx, self.message))

    def material_row(self, req) -> BoxLayout:
        item = BoxLayout(orientation="horizontal", size_hint_y=None, height=MATERIAL_ROW_H, spacing=16)
        icon = str(icon_path(req.hints.kind, self.ctx.home / "icons"))
        item.add_widget(Image(source=icon, size_hint_x=None, width=230))
        words = f"{req.name}（{FORM_WORDS[req.form]} {req.copies} 份）"
        if req.condition:
            words += "\n" + _("Only if: ") + req.condition
        item.add_widget(Text(words))
        return item

    def actions(self) -> list[BigButton]:
        return [
            BigButton(_("Print guide"), self.print_guide, kind="secondary", size_hint_x=None, width=320),
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
