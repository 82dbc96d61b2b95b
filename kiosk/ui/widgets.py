"""Widgets every screen uses, sized and coloured by :mod:`kiosk.ui.theme`."""

from __future__ import annotations

import re
from collections.abc import Callable

from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput

from . import theme


def paint(widget, rgba: tuple[float, float, float, float]) -> None:
    """A solid background that follows the widget's size and position."""
    with widget.canvas.before:
        Color(*rgba)
        rect = Rectangle(pos=widget.pos, size=widget.size)
    widget.bind(pos=lambda w, v: setattr(rect, "pos", v), size=lambda w, v: setattr(rect, "size", v))


CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def cjk_wrap(text: str) -> str:
    """Kivy breaks lines only at spaces, and after a space it starts a long run of Chinese
    on a new line (leaving "1." alone on the line above): in Chinese text the spaces
    become no-break spaces, so lines fill up and break between any two characters."""
    return text.replace(" ", "\u00a0") if " " in text and CJK.search(text) else text


class Text(Label):
    """Wrapping text whose height follows its content (for lists and scroll views)."""

    def __init__(self, text: str = "", size: int = theme.TEXT_PX, color=theme.INK, bold: bool = False, **kw):
        kw.setdefault("halign", "left")
        kw.setdefault("valign", "middle")
        super().__init__(
            text=cjk_wrap(text),
            font_name=theme.FONT_NAME,
            font_size=max(size, theme.SMALL_PX),
            color=color,
            bold=bold,
            size_hint_y=None,
            **kw,
        )
        self.bind(width=self._wrap, texture_size=self._fit, text=self._nbsp)

    def _nbsp(self, _w: object, value: str) -> None:
        wrapped = cjk_wrap(value)
        if wrapped != value:
            self.text = wrapped

    def _wrap(self, *_a: object) -> None:
        self.text_size = (self.width, None)

    def _fit(self, *_a: object) -> None:
        self.height = max(self.texture_size[1], self.font_size * 1.4)


def title(text: str) -> Text:
    return Text(text, size=theme.TITLE_PX, bold=True)


KINDS = {
    "primary": (theme.PRIMARY, theme.WHITE),
    "secondary": (theme.SECONDARY, theme.INK),
    "danger": (theme.DANGER, theme.WHITE),
    "ok": (theme.OK_GREEN, theme.WHITE),
}


class BigButton(Button):
    """A touch target at least 80 px high; ``kind`` picks primary/secondary/danger colours."""

    def __init__(
        self,
        text: str,
        on_press: Callable[[], None] | None = None,
        kind: str = "primary",
        wrap: bool = True,
        grow: bool = False,
        **kw,
    ):
        bg, fg = KINDS[kind]
        kw.setdefault("size_hint_y", None)
        kw.setdefault("height", theme.BUTTON_H)
        super().__init__(
            text=cjk_wrap(text),
            font_name=theme.FONT_NAME,
            font_size=theme.BUTTON_TEXT_PX,
            background_normal="",
            background_down="",
            background_color=bg,
            color=fg,
            halign="center",
            valign="middle",
            **kw,
        )
        if wrap:
            self.bind(size=lambda w, v: setattr(w, "text_size", (v[0] - 16, None)))
        if grow:  # taller than ``height`` when the wrapped text needs it: never clipped
            least = self.height
            self.bind(texture_size=lambda w, v: setattr(w, "height", max(least, v[1] + 24)))
        if on_press is not None:
            self.bind(on_release=lambda *_a: on_press())

    def set_kind(self, kind: str) -> None:
        self.background_color, self.color = KINDS[kind]


def scroll_list(spacing: int = 12, cols: int = 1) -> tuple[ScrollView, GridLayout]:
    """A vertical scroll view and the grid inside it to add rows to."""
    grid = GridLayout(cols=cols, spacing=spacing, size_hint_y=None, padding=(4, 4))
    grid.bind(minimum_height=grid.setter("height"))
    view = ScrollView(do_scroll_x=False, bar_width=14, scroll_type=["bars", "content"])
    view.add_widget(grid)
    return view, grid


def field(hint: str = "", text: str = "", **kw) -> TextInput:
    return TextInput(
        text=text,
        hint_text=hint,
        font_name=theme.FONT_NAME,
        font_size=theme.TEXT_PX + 2,
        multiline=False,
        size_hint_y=None,
        height=theme.BUTTON_H,
        padding=(16, 22),
        write_tab=False,
        **kw,
    )


def row(*widgets, height: int = theme.BUTTON_H, spacing: int = 16) -> BoxLayout:
    box = BoxLayout(orientation="horizontal", spacing=spacing, size_hint_y=None, height=height)
    for widget in widgets:
        if widget.size_hint_y is None and not widget.pos_hint:
            widget.pos_hint = {"center_y": 0.5}  # a short label beside a button: level with it
        box.add_widget(widget)
    return box
