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
from ..ui.widgets import BigButton, Text, scroll_list, title
from ..visit.checklist import FORM_WORDS
from ..visit.steps import Step
from .base import KioskScreen


class GuideScreen(KioskScreen):
    title = "Service guide"

    def prompt(self) -> str:
        return _("Please read the guide. The materials you need are listed below.")

    def build(self) -> None:
        matter = self.ctx.flow.visit.matter
        assert matter is not None
        self.body.add_widget(title(matter.name))
        view, grid = scroll_list(spacing=6)
        for label, text in guide_rows(matter):
            grid.add_widget(Text(f"{label}：{text}"))
        grid.add_widget(Text(_("Materials to bring:"), bold=True, color=theme.PRIMARY))
        for req in matter.guide.materials:
            item = BoxLayout(orientation="horizontal", size_hint_y=None, height=170, spacing=16)
            item.add_widget(
                Image(
                    source=str(icon_path(req.hints.kind, self.ctx.home / "icons")),
                    size_hint_x=None,
                    width=230,
                )
            )
            words = f"{req.name}（{FORM_WORDS[req.form]} {req.copies} 份）"
            if req.condition:
                words += "\n" + _("Only if: ") + req.condition
            item.add_widget(Text(words))
            grid.add_widget(item)
        self.body.add_widget(view)
        self.message = Text("", color=theme.OK_GREEN)
        self.body.add_widget(self.message)

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
        outcome = self.ctx.printing.guide(matter)
        self.message.text = (
            _("The guide is printing.") if outcome.ok else _("Printing failed: ") + outcome.detail
        )
