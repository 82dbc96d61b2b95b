"""Widgets every screen uses, sized and coloured by :mod:`kiosk.ui.theme`."""

from __future__ import annotations

from collections.abc import Callable

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput

from . import theme
from .wrap import has_cjk, wrap


def paint(widget, rgba: tuple[float, float, float, float]) -> None:
    """A solid background that follows the widget's size and position."""
    with widget.canvas.before:
        Color(*rgba)
        rect = Rectangle(pos=widget.pos, size=widget.size)
    widget.bind(pos=lambda w, v: setattr(rect, "pos", v), size=lambda w, v: setattr(rect, "size", v))


WRAP_SLACK = 6  # px kept free at the end of a line: Kivy must never re-break a line we made


class Wrapped:
    """Chinese text broken into lines by :mod:`kiosk.ui.wrap` (fast, and between any two
    characters) at the widget's width less ``wrap_margin``; ``text`` set later is wrapped
    the same way and ``raw`` keeps it as given."""

    wrap_margin = 16  # a button's padding

    def init_wrap(self, text: str) -> None:
        """A widget sized by its layout shows nothing until the layout gives it a width:
        otherwise its text is wrapped and rendered at Kivy's default 100 px first (a tall,
        narrow texture), then again at the real width, in the same frame."""
        self._raw, self._setting = text, False
        self._placed = self.size_hint_x is None
        self.bind(width=self._on_width, text=self._on_text)
        if self._placed:
            self._rewrap()
        else:
            self._show("")
            Clock.schedule_once(self._on_width, 0)  # a layout that leaves it at 100 px

    @property
    def raw(self) -> str:
        return getattr(self, "_raw", self.text)

    def _on_width(self, *_a: object) -> None:
        self._placed = True
        self._rewrap()

    def _on_text(self, _w: object, value: str) -> None:
        if not self._setting:
            self._raw = value
            self._rewrap() if self._placed else self._show("")

    def _rewrap(self, *_a: object) -> None:
        width = self.width - self.wrap_margin
        self.text_size = (width, None)
        shown = self._raw
        if has_cjk(shown):
            shown = wrap(shown, width - WRAP_SLACK, self.font_name, int(self.font_size), self.bold)
        self._show(shown)

    def _show(self, shown: str) -> None:
        if shown != self.text:
            self._setting = True
            self.text = shown
            self._setting = False


class Text(Wrapped, Label):
    """Wrapping text whose height follows its content (for lists and scroll views)."""

    wrap_margin = 0

    def __init__(self, text: str = "", size: int = theme.TEXT_PX, color=None, bold: bool = False, **kw):
        color = theme.INK if color is None else color
        kw.setdefault("halign", "left")
        kw.setdefault("valign", "middle")
        size, bold = theme.face(size, bold)  # one of the type scale's few open font faces
        super().__init__(
            text=text,
            font_name=theme.FONT_NAME,
            font_size=size,
            color=color,
            bold=bold,
            size_hint_y=None,
            **kw,
        )
        self.bind(texture_size=self._fit)
        self._fit()  # empty text makes no texture: without this it kept Kivy's default 100 px
        self.init_wrap(text)

    def _fit(self, *_a: object) -> None:
        self.height = max(self.texture_size[1], self.font_size * 1.4)


def title(text: str) -> Text:
    return Text(text, size=theme.TITLE_PX, bold=True)


def kind_colours(kind: str) -> tuple[tuple, tuple]:
    """(background, text) of a button kind in the current palette."""
    return {
        "primary": (theme.PRIMARY, theme.WHITE),
        "secondary": (theme.SECONDARY, theme.INK),
        "danger": (theme.DANGER, theme.WHITE),
        "ok": (theme.OK_GREEN, theme.WHITE),
    }[kind]


class BigButton(Wrapped, Button):
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
        bg, fg = kind_colours(kind)
        kw.setdefault("size_hint_y", None)
        kw.setdefault("height", theme.BUTTON_H)
        super().__init__(
            text=text,
            font_name=theme.FONT_NAME,
            font_size=theme.button_px(),
            background_normal="",
            background_down="",
            background_color=bg,
            color=fg,
            halign="center",
            valign="middle",
            **kw,
        )
        if wrap:
            self.init_wrap(text)
        if grow:  # taller than ``height`` when the wrapped text needs it: never clipped
            least = self.height
            self.bind(texture_size=lambda w, v: setattr(w, "height", max(least, v[1] + 24)))
        if on_press is not None:
            self.bind(on_release=lambda *_a: on_press())

    def set_kind(self, kind: str) -> None:
        self.background_color, self.color = kind_colours(kind)


def scroll_list(spacing: int = 12, cols: int = 1) -> tuple[ScrollView, GridLayout]:
    """A vertical scroll view and the grid inside it to add rows to."""
    grid = GridLayout(cols=cols, spacing=spacing, size_hint_y=None, padding=(4, 4))
    grid.bind(minimum_height=grid.setter("height"))
    view = ScrollView(do_scroll_x=False, bar_width=14, scroll_type=["bars", "content"])
    view.add_widget(grid)
    return view, grid


def field(hint: str = "", text: str = "", **kw) -> TextInput:
    """A one-line text field; its text is centred in its height at any type size."""
    kw.setdefault("height", theme.BUTTON_H)
    size = theme.face(theme.LARGE_PX)[0]
    pad_y = max(4, round((kw["height"] - size * 1.45) / 2))
    return TextInput(
        text=text,
        hint_text=hint,
        font_name=theme.FONT_NAME,
        font_size=size,
        multiline=False,
        size_hint_y=None,
        padding=(16, pad_y),
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
