"""Chinese without a keyboard: a pinyin pad with large candidate characters, and a
switcher that shows one pad per field (name, ID number, address …) beside a form.

A resident types the letters of a syllable (``zhang``), the most likely characters appear
as big keys (name characters first, :mod:`kiosk.visit.ime`), one tap puts a character
into the field. Letters of the next syllable may follow at once (``zhangsan``).
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from ..i18n import _
from ..visit import ime
from . import theme
from .keypad import DIGITS, LETTERS
from .release import clear
from .widgets import BigButton, Text, row

CANDIDATE_COLS = 6
CANDIDATE_ROWS = 2
KEY_H = 60
CANDIDATE_H = 72


class HanziPad(BoxLayout):
    """Letters, a candidate grid and a digits page; characters go into ``target``."""

    def __init__(self, target: TextInput, on_change: Callable[[str], None] | None = None, **kw) -> None:
        super().__init__(orientation="vertical", spacing=8, size_hint_y=None, **kw)
        self.target = target
        self.letters = ""
        self.offset = 0  # first candidate shown
        self.page = "letters"
        self._on_change = on_change
        self.typed = Text("", size=theme.LARGE_PX, color=theme.PRIMARY, bold=True)
        self.candidates_grid = GridLayout(cols=CANDIDATE_COLS, spacing=6, size_hint_y=None)
        self.candidates_grid.height = CANDIDATE_ROWS * CANDIDATE_H + (CANDIDATE_ROWS - 1) * 6
        self.keys = GridLayout(cols=7, spacing=6, size_hint_y=None)
        for widget in (self.typed, self.candidates_grid, self.keys):
            self.add_widget(widget)
        self.show_keys()
        self.show_candidates()

    # -- what shows --------------------------------------------------------------------
    def _fit(self) -> None:
        self.height = self.typed.height + self.candidates_grid.height + self.keys.height + 2 * 8

    def show_keys(self) -> None:
        clear(self.keys)
        if self.page == "letters":
            keys, cols, switch = LETTERS, 7, ("123", "digits")
        else:
            keys, cols, switch = [*DIGITS, "0", "-"], 4, (_("Pinyin"), "letters")
        self.keys.cols = cols
        for key in keys:
            self.keys.add_widget(self._key(key, lambda k=key: self.press(k)))
        self.keys.add_widget(self._key(_("Delete"), self.delete, kind="danger"))
        self.keys.add_widget(self._key(switch[0], lambda p=switch[1]: self.show_page(p), kind="primary"))
        rows = -(-len(self.keys.children) // cols)
        self.keys.height = rows * KEY_H + (rows - 1) * 6
        self._fit()

    def show_candidates(self) -> None:
        clear(self.candidates_grid)
        found = ime.candidates(self.letters) if self.letters else []
        per_page = CANDIDATE_COLS * CANDIDATE_ROWS - 1  # the last key turns the page
        if self.offset >= len(found):
            self.offset = 0
        shown = found[self.offset : self.offset + per_page]
        for ch in shown:
            button = BigButton(ch, lambda c=ch: self.choose(c), height=CANDIDATE_H, wrap=False)
            button.font_size = theme.face(theme.TITLE_PX)[0]
            button.bold = True
            self.candidates_grid.add_widget(button)
        for _i in range(per_page - len(shown)):
            self.candidates_grid.add_widget(Widget())
        more = len(found) > per_page
        self.candidates_grid.add_widget(
            self._key(_("More ›"), self.more, kind="secondary", height=CANDIDATE_H) if more else Widget()
        )
        hint = _("Type the pinyin, then tap a character") if not self.letters else self.letters
        self.typed.text = hint

    def _key(self, label: str, action: Callable[[], None], kind: str = "secondary", height: int = KEY_H):
        return BigButton(label, action, kind=kind, height=height, wrap=False)

    # -- keys ---------------------------------------------------------------------------
    def show_page(self, page: str) -> None:
        self.page = page
        self.show_keys()

    def press(self, key: str) -> None:
        if key.isalpha() and key.isascii():
            if len(self.letters) < 24:
                self.letters += key
                self.offset = 0
                self.show_candidates()
            self.changed()
            return
        self.target.text += key
        self.changed()

    def choose(self, ch: str) -> None:
        self.target.text += ch
        self.letters = ime.pick(self.letters, ch)
        self.offset = 0
        self.show_candidates()
        self.changed()

    def more(self) -> None:
        self.offset += CANDIDATE_COLS * CANDIDATE_ROWS - 1
        self.show_candidates()

    def delete(self) -> None:
        if self.letters:
            self.letters = self.letters[:-1]
            self.offset = 0
            self.show_candidates()
        else:
            self.target.text = self.target.text[:-1]
        self.changed()

    def changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self.letters)


ROOMY_TABS = 4


class PadSwitcher(BoxLayout):
    """One tab per field above the pad that types into it: a resident sees which field
    the keys fill (the tab and the field are highlighted together)."""

    def __init__(
        self,
        tabs: list[tuple[str, Callable[[], Widget]]],
        active: int = 0,
        on_select: Callable[[int], None] | None = None,
        **kw,
    ) -> None:
        super().__init__(orientation="vertical", spacing=10, **kw)
        self.tabs = tabs
        self.on_select = on_select
        self.buttons = [
            BigButton(label, lambda i=i: self.select(i), kind="secondary", wrap=False)
            for i, (label, _make) in enumerate(tabs)
        ]
        if len(tabs) > 1:  # many tabs (the assist panel's): closer together, so the labels fit
            self.add_widget(row(*self.buttons, spacing=16 if len(tabs) <= ROOMY_TABS else 4))
        self.holder = BoxLayout(orientation="vertical")
        self.add_widget(self.holder)
        self.active = -1
        self.pad: Widget | None = None
        self.select(active)

    def select(self, index: int) -> None:
        if index == self.active:
            return
        self.active = index
        for i, button in enumerate(self.buttons):
            button.set_kind("primary" if i == index else "secondary")
        clear(self.holder)
        self.pad = self.tabs[index][1]()
        self.holder.add_widget(self.pad)
        self.holder.add_widget(Widget())
        if self.on_select is not None:
            self.on_select(index)
