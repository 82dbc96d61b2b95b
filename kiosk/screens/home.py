"""Home: large tiles of life situations (社保就业, 医保看病, 老年人 …) are the main road;
常办事项 first; search by hanzi or pinyin with the on-screen pinyin pad.

A tile opens its matters, high-frequency first. Search keeps working with pinyin
initials ("ylbx" → 养老保险): the letters typed are searched as they come, and the
candidate characters let a resident type the name itself. Home itself has no Back/Home
buttons; a tile or the search has one way back, to all the tiles. The screen is built
once per language and mode: coming back Home only resets it (a fast return).
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from shared_schema import Matter

from .. import i18n
from ..i18n import _
from ..ui import theme
from ..ui.hanzi_pad import HanziPad
from ..ui.release import clear, release
from ..ui.tile import Tile
from ..ui.widgets import BigButton, Text, field, scroll_list, title
from ..visit.situations import Situation, situations
from ..visit.steps import Step
from .base import KioskScreen

FREQUENT = Situation("frequent", "Frequent matters", "", "star")
SEARCH = Situation("search", "Search by name", "", "search")
TILE_COLS = 4


class HomeScreen(KioskScreen):
    title = "Choose a service"

    def __init__(self, ctx, **kw) -> None:
        super().__init__(ctx, **kw)
        self.view = "tiles"  # tiles / a situation's key / search
        self.built_for: tuple[str, bool] | None = None  # language and mode of what is on screen
        self._tiles: tuple[tuple[str, bool], list] | None = None  # the tiles view, kept for a fast return

    def prompt(self) -> str:
        return _("Welcome. Tap the picture that fits your situation, or search for the matter by name.")

    def on_pre_enter(self, *a: object) -> None:
        self.view = "tiles"  # the next resident starts from the tiles
        super().on_pre_enter(*a)

    def refresh(self) -> None:
        if self.built_for != (i18n.language, theme.accessible) or self.view != "tiles":
            super().refresh()
        self.built_for = (i18n.language, theme.accessible) if self.view == "tiles" else None

    def tiles(self) -> list[tuple[Situation, list[Matter]]]:
        return [(FREQUENT, self.ctx.search.frequent(limit=12)), *situations(self.ctx.search.offered())]

    def build(self) -> None:
        if self.view == "tiles":
            self.build_tiles()
        elif self.view == "search":
            self.build_search()
        else:
            self.build_situation(self.view)

    def build_tiles(self) -> None:
        """Built once per language and mode; coming back Home puts the same widgets back."""
        key = (i18n.language, theme.accessible)
        if self._tiles is None or self._tiles[0] != key:
            if self._tiles is not None:  # built for another language or mode, and off screen
                release([w for w in self._tiles[1] if w.parent is None])
            grid = GridLayout(cols=TILE_COLS, spacing=12)
            for situation, _matters in [*self.tiles(), (SEARCH, [])]:
                kind = "primary" if situation in (FREQUENT, SEARCH) else "secondary"
                grid.add_widget(
                    Tile(_(situation.label), situation.icon, lambda k=situation.key: self.open(k), kind=kind)
                )
            heading = title(_("City-wide services: apply here for any matter in the city"))
            self._tiles = (key, [heading, Text(_("What is your matter about? Tap a picture:")), grid])
        for widget in self._tiles[1]:
            self.body.add_widget(widget)

    def kept(self) -> list:
        return list(self._tiles[1]) if self._tiles else []

    def build_situation(self, key: str) -> None:
        situation, matters = next((s, m) for s, m in self.tiles() if s.key == key)
        self.body.add_widget(title(_(situation.label)))
        if situation.examples:
            self.body.add_widget(Text(_(situation.examples), color=theme.MUTED))
        view, grid = scroll_list(cols=2)
        self.fill(grid, matters)
        self.body.add_widget(view)

    def build_search(self) -> None:
        self.body.add_widget(title(_("Search by name")))
        main = BoxLayout(orientation="horizontal", spacing=24)
        left = BoxLayout(orientation="vertical", spacing=10, size_hint_x=0.5)
        self.search_field = field(_("Name of the matter, e.g. 养老"))
        self.search_field.bind(text=lambda *_a: self.on_query())
        left.add_widget(self.search_field)
        self.list_view, self.list_grid = scroll_list()
        left.add_widget(self.list_view)
        self.search_pad = HanziPad(self.search_field, on_change=lambda _letters: self.on_query())
        main.add_widget(left)
        right = BoxLayout(orientation="vertical", size_hint_x=0.5)
        right.add_widget(self.search_pad)
        right.add_widget(BoxLayout())
        main.add_widget(right)
        self.body.add_widget(main)
        self.on_query()

    @property
    def query(self) -> str:
        """The characters in the field and the pinyin letters still being typed."""
        return self.search_field.text + self.search_pad.letters

    def on_query(self) -> None:
        if not hasattr(self, "search_pad"):
            return  # the field's first text, before the pad exists
        query = self.query.strip()
        matters = [hit.matter for hit in self.ctx.search.search(query)] if query else []
        clear(self.list_grid)
        if query and not matters:
            self.list_grid.add_widget(
                Text(_("Nothing found. Try other words, or ask the staff."), color=theme.DANGER)
            )
        self.fill(self.list_grid, matters)

    def fill(self, grid, matters: list[Matter]) -> None:
        for matter in matters:
            grid.add_widget(
                BigButton(
                    matter.name,
                    lambda code=matter.code: self.ctx.service.choose_matter(code),
                    kind="secondary",
                    height=110,
                    grow=True,
                )
            )

    def open(self, view: str) -> None:
        self.view = view
        self.built_for = None
        self.refresh()

    def build_bar(self) -> None:
        if self.view != "tiles":  # one way back: to all the tiles (Home has no Back/Home)
            self.bar.add_widget(
                BigButton(_("‹ All categories"), lambda: self.open("tiles"), kind="secondary",
                          size_hint_x=None, width=300)
            )  # fmt: skip
        self.bar.add_widget(BoxLayout())
        for button in self.actions():
            self.bar.add_widget(button)

    def actions(self) -> list[BigButton]:
        return [
            BigButton(
                _("Progress and pickup"),
                lambda: self.ctx.flow.go(Step.status_pickup),
                size_hint_x=None,
                width=440,  # one line in the accessibility mode's larger type too
            )
        ]

    def go_home(self) -> None:
        self.open("tiles")
