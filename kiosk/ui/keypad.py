"""On-screen keypads: digits (ID numbers, phone, PIN, receipt numbers) and letters
(pinyin initials). A resident who cannot use a keyboard can still enter everything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from kivy.uix.gridlayout import GridLayout
from kivy.uix.textinput import TextInput

from ..i18n import _
from . import theme
from .release import clear
from .widgets import BigButton

DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
LETTERS = list("abcdefghijklmnopqrstuvwxyz")
UPPER = [c.upper() for c in LETTERS]


class Keypad(GridLayout):
    """Keys append to ``value``; ``on_change(value)`` after each key."""

    def __init__(
        self,
        on_change: Callable[[str], None],
        keys: list[str] | None = None,
        cols: int = 3,
        max_len: int = 24,
        key_height: int = theme.BUTTON_H,
        **kw,
    ) -> None:
        super().__init__(cols=cols, spacing=8, size_hint_y=None, **kw)
        self.value = ""
        self.max_len = max_len
        self.key_height = key_height
        self._on_change = on_change
        self.keys: list[str] = []
        self.fill(keys if keys is not None else [*DIGITS, "X", "0"], cols)

    def fill(self, keys: list[str], cols: int, extra: BigButton | None = None) -> None:
        """Lay out ``keys``, then Delete, then ``extra`` (a key that is not a character)."""
        clear(self, keep=[extra] if extra else [])
        self.keys, self.cols = list(keys), cols
        buttons = [self._key(key, lambda k=key: self.press(k)) for key in keys]
        buttons.append(self._key(_("Delete"), lambda: self.press("<")))
        for button in [*buttons, *([extra] if extra else [])]:
            self.add_widget(button)
        rows = -(-len(self.children) // cols)
        self.height = rows * self.key_height + (rows - 1) * 8

    def _key(self, label: str, action: Callable[[], None]) -> BigButton:
        return BigButton(label, action, kind="secondary", height=self.key_height, wrap=False)

    def press(self, key: str) -> None:
        if key == "<":
            self.value = self.value[:-1]
        elif len(self.value) < self.max_len:
            self.value += key
        self._on_change(self.value)

    def set(self, value: str) -> None:
        self.value = value[: self.max_len]
        self._on_change(self.value)


class ReceiptPad(Keypad):
    """Receipt numbers (``ZZ1305-K1-20250101-0001``): a digits page and a letters page.

    All 37 characters at once would make keys too small to hit; one big key, 字母 / 数字,
    switches pages and keeps what was typed.
    """

    PAGES: ClassVar = {"digits": ([*DIGITS, "-", "0"], 3), "letters": ([*UPPER, "-"], 6)}
    SWITCH: ClassVar = {"digits": "Letters A-Z", "letters": "Digits 0-9"}  # the label shown on each page

    def __init__(self, on_change: Callable[[str], None], max_len: int = 32) -> None:
        self.page = "digits"
        super().__init__(on_change, keys=[], max_len=max_len)
        self.show_page("digits")

    @property
    def switch_label(self) -> str:
        return _(self.SWITCH[self.page])

    def show_page(self, page: str) -> None:
        self.page = page
        keys, cols = self.PAGES[page]
        other = "letters" if page == "digits" else "digits"
        switch = BigButton(self.switch_label, lambda: self.show_page(other), height=self.key_height)
        self.fill(keys, cols, extra=switch)


def digit_pad(
    on_change: Callable[[str], None], with_x: bool = False, max_len: int = 18, extra: str | None = "-"
) -> Keypad:
    """Digits; the spare key is X (ID numbers), "-" (phone extensions) or none (PINs)."""
    spare = "X" if with_x else extra
    keys = [*DIGITS, *([spare] if spare else []), "0"]
    return Keypad(on_change, keys=keys, cols=3, max_len=max_len)


def letter_pad(on_change: Callable[[str], None]) -> Keypad:
    return Keypad(on_change, keys=LETTERS, cols=7, max_len=12, key_height=80)


def code_pad(target: TextInput, max_len: int = 32) -> ReceiptPad:
    """Digits and capital letters (a credit code, a receipt number) typed into ``target``."""
    pad = ReceiptPad(lambda value: setattr(target, "text", value), max_len=max_len)
    pad.value = target.text[:max_len]
    return pad


def digits_into(target: TextInput, with_x: bool = False, max_len: int = 18) -> Keypad:
    """Digits (and X, for an ID number) typed into ``target``."""
    pad = digit_pad(lambda value: setattr(target, "text", value), with_x=with_x, max_len=max_len)
    pad.value = target.text[:max_len]
    return pad
