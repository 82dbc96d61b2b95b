"""Home: frequent matters first, browse by business area, search by hanzi or pinyin.

The letter pad lets a resident type pinyin initials ("ylbx" → 养老保险) without a
keyboard; results replace the frequent list as they type. The screen is built once per
language: coming back Home only resets the search and refills the list (a fast return).
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from shared_schema import Matter

from .. import i18n
from ..i18n import _
from ..ui import theme
from ..ui.keypad import letter_pad
from ..ui.release import clear
from ..ui.widgets import BigButton, Text, field, row, scroll_list, title
from ..visit.steps import Step
from .base import KioskScreen


class HomeScreen(KioskScreen):
    title = "Choose a service"

    def __init__(self, ctx, **kw) -> None:
        super().__init__(ctx, **kw)
        self.query = ""
        self.domain: str | None = None
        self.built_for: str | None = None  # the language the widgets were built in

    def prompt(self) -> str:
        return _("Welcome. Please choose the service you want to apply for.")

    def on_pre_enter(self, *a: object) -> None:
        self.query, self.domain = "", None  # the next resident starts from the frequent list
        super().on_pre_enter(*a)

    def refresh(self) -> None:
        if self.built_for != i18n.language:
            super().refresh()
            self.built_for = i18n.language
            return
        self.pad.value = self.query
        if self.search_field.text != self.query:
            self.search_field.text = self.query  # refills the list through on_query
        else:
            self.fill_list()

    def build(self) -> None:
        self.body.add_widget(title(_("City-wide services: apply here for any matter in the city")))
        main = BoxLayout(orientation="horizontal", spacing=24)
        left = BoxLayout(orientation="vertical", spacing=10, size_hint_x=0.56)
        self.tabs = (
            BigButton(_("Frequent"), self.show_frequent, kind="secondary"),
            BigButton(_("By area"), self.show_domains, kind="secondary"),
        )
        left.add_widget(row(*self.tabs))
        self.list_view, self.list_grid = scroll_list()
        left.add_widget(self.list_view)
        right = BoxLayout(orientation="vertical", spacing=10, size_hint_x=0.44)
        self.search_field = field(_("Type the name or pinyin initials, e.g. ylbx"), text=self.query)
        self.search_field.bind(text=lambda _w, value: self.on_query(value))
        right.add_widget(self.search_field)
        self.pad = letter_pad(lambda value: setattr(self.search_field, "text", value))
        self.pad.value = self.query
        right.add_widget(self.pad)
        right.add_widget(BoxLayout())
        main.add_widget(left)
        main.add_widget(right)
        self.body.add_widget(main)
        self.fill_list()

    def actions(self) -> list[BigButton]:
        return [
            BigButton(
                _("Progress and pickup"),
                lambda: self.ctx.flow.go(Step.status_pickup),
                size_hint_x=None,
                width=340,
            )
        ]

    # -- list content ---------------------------------------------------------------------
    def on_query(self, value: str) -> None:
        self.query = value
        self.pad.value = value
        self.fill_list()

    def show_frequent(self) -> None:
        self.domain, self.query = None, ""
        self.refresh()

    def show_domains(self) -> None:
        self.domain, self.query = "", ""
        self.refresh()

    def pick_domain(self, domain: str) -> None:
        self.domain = domain
        self.fill_list()

    def matters_shown(self) -> list[Matter]:
        if self.query.strip():
            return [hit.matter for hit in self.ctx.search.search(self.query)]
        if self.domain:
            return self.ctx.search.in_domain(self.domain)
        if self.domain is None:
            return self.ctx.search.frequent(limit=12)
        return []

    def fill_list(self) -> None:
        self.tabs[0].set_kind("primary" if self.domain is None else "secondary")
        self.tabs[1].set_kind("secondary" if self.domain is None else "primary")
        grid = self.list_grid
        clear(grid)
        if self.domain == "" and not self.query.strip():
            for domain in self.ctx.search.domains():
                grid.add_widget(BigButton(domain, lambda d=domain: self.pick_domain(d), kind="secondary"))
            return
        matters = self.matters_shown()
        if not matters:
            grid.add_widget(Text(_("Nothing found. Try other words, or ask the staff."), color=theme.DANGER))
        for matter in matters:
            grid.add_widget(
                BigButton(
                    matter.name,
                    lambda code=matter.code: self.ctx.service.choose_matter(code),
                    kind="secondary",
                )
            )

    def go_home(self) -> None:
        self.query, self.domain = "", None
        self.refresh()
