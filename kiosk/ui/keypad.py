"""On-screen keypads: digits (ID numbers, phone, PIN, receipt numbers) and letters
(pinyin initials). A resident who cannot use a keyboard can still enter everything.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.uix.gridlayout import GridLayout

from ..i18n import _
from . import theme
from .widgets import BigButton

DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
LETTERS = list("abcdefghijklmnopqrstuvwxyz")


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
        self._on_change = on_change
        keys = keys if keys is not None else [*DIGITS, "X", "0"]
        for key in keys:
            self.add_widget(
                BigButton(key, lambda k=key: self.press(k), kind="secondary", height=key_height, wrap=False)
            )
        self.add_widget(
            BigButton(_("Delete"), lambda: self.press("<"), kind="secondary", height=key_height, wrap=False)
        )
        rows = -(-(len(keys) + 1) // cols)
        self.height = rows * key_height + (rows - 1) * 8

    def press(self, key: str) -> None:
        if key == "<":
            self.value = self.value[:-1]
        elif len(self.value) < self.max_len:
            self.value += key
        self._on_change(self.value)

    def set(self, value: str) -> None:
        self.value = value[: self.max_len]
        self._on_change(self.value)


def digit_pad(
    on_change: Callable[[str], None], with_x: bool = False, max_len: int = 18, extra: str | None = "-"
) -> Keypad:
    """Digits; the spare key is X (ID numbers), "-" (phone extensions) or none (PINs)."""
    spare = "X" if with_x else extra
    keys = [*DIGITS, *([spare] if spare else []), "0"]
    return Keypad(on_change, keys=keys, cols=3, max_len=max_len)


def letter_pad(on_change: Callable[[str], None]) -> Keypad:
    return Keypad(on_change, keys=LETTERS, cols=7, max_len=12, key_height=80)
