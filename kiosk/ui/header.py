"""The header every screen shows: where this is, online or offline, what waits to be sent.

Refreshed from the outbox and the sync worker by :class:`HeaderPoller`, on its own
thread (the counts are database reads: never on the UI thread); a resident (and the
staff member glancing over) always knows whether the kiosk can reach the server.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import lru_cache

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from .. import i18n
from ..i18n import _
from . import theme
from .widgets import BigButton, paint
from .wrap import char_width, wrap

log = logging.getLogger(__name__)
LinkState = tuple[bool, int, int, str]  # online, waiting (incl. sending), failed, transfer deadline warning
# the station's name: as large as fits, down to body size (both faces of the normal scale,
# open anyway); a name that does not fit at body size keeps two lines and ends in "…"
STATION_PX = (theme.LARGE_PX, theme.TEXT_PX)
STATION_LINES = 2
ELLIPSIS = "…"


@lru_cache(maxsize=4)
def _line_height(size: int) -> int:
    """Height of one line of CJK text at ``size`` px, as Kivy lays it out."""
    from kivy.core.text import Label as CoreLabel

    return CoreLabel(font_name=theme.FONT_NAME, font_size=size).get_extents("字")[1]


def _width(text: str, size: int) -> float:
    return sum(char_width(c, theme.FONT_NAME, size) for c in text)


def fit_station(name: str, width: float, height: float) -> tuple[int, str]:
    """(font size, text with its line breaks) for the station's name in a ``width`` ×
    ``height`` box: the largest of :data:`STATION_PX` at which the whole name fits, else
    body size with as many whole lines as fit (at most two) and the last one ending in
    an ellipsis. Never taller than the box, never cut through a glyph."""
    for size in STATION_PX:
        lines = wrap(name, width, theme.FONT_NAME, size).split("\n")
        if len(lines) * _line_height(size) <= height:
            return size, "\n".join(lines)
    room = max(1, min(STATION_LINES, int(height // _line_height(size))))
    kept, last = lines[: room - 1], lines[room - 1]
    while last and _width(last + ELLIPSIS, size) > width:
        last = last[:-1]
    return size, "\n".join([*kept, last.rstrip() + ELLIPSIS])


def _label(text: str = "", **kw) -> Label:
    kw.setdefault("font_size", theme.TEXT_PX)
    return Label(text=text, font_name=theme.FONT_NAME, color=theme.WHITE, **kw)


class Header(BoxLayout):
    def __init__(
        self,
        station: str,
        on_language: Callable[[], None],
        on_staff: Callable[[], None],
        on_accessible: Callable[[], None],
        **kw,
    ) -> None:
        super().__init__(
            orientation="horizontal", size_hint_y=None, height=96, padding=(20, 6), spacing=16, **kw
        )
        paint(self, theme.HEADER_BG)
        self.station = station
        self.place = _label(station, halign="left", valign="middle", size_hint_x=0.19)
        self.place.bind(size=self._fit_station)
        self.step = _label("", font_size=theme.LARGE_PX, bold=True, size_hint_x=0.22)
        self.link = _label("", size_hint_x=0.1)
        self.queue = _label("", size_hint_x=0.16)  # two lines when the transfer deadline nears
        # the accessibility mode: one tap from every screen, the first button a hand finds
        self.accessible = BigButton(
            "", on_accessible, kind="secondary", size_hint_x=0.15, height=80, wrap=False
        )
        self.language = BigButton(
            "English", on_language, kind="secondary", size_hint_x=0.08, height=80, wrap=False
        )
        self.staff = BigButton(_("Staff"), on_staff, kind="secondary", size_hint_x=0.1, height=80, wrap=False)
        for button in (self.accessible, self.language, self.staff):
            button.font_size = theme.TEXT_PX
        for widget in (
            self.place,
            self.step,
            self.link,
            self.queue,
            self.accessible,
            self.language,
            self.staff,
        ):
            self.add_widget(widget)
        self.show_accessible()

        self._state: LinkState = (False, 0, 0, "")
        self.show_link(self._state)

    def _fit_station(self, place: Label, size: tuple[float, float]) -> None:
        """Lay the name out for the space it has (the texture is as tall as its lines,
        centred on the label)."""
        place.font_size, place.text = fit_station(self.station, size[0], size[1])
        place.text_size = (size[0], None)

    def show_title(self, step_title: str) -> None:
        self.step.text = step_title

    def show_link(self, state: LinkState) -> None:
        self._state = state
        online, waiting, failed, deadline = state
        self.link.text = "● " + (_("Online") if online else _("Offline"))
        self.link.color = (0.55, 1, 0.6, 1) if online else (1, 0.8, 0.3, 1)
        text = _("{n} waiting to send").format(n=waiting)
        if failed:
            text += " / " + _("{n} failed").format(n=failed)
        self.queue.text = text + ("\n" + deadline if deadline else "")  # the transfer promise at risk
        self.queue.color = (1, 0.55, 0.35, 1) if deadline else theme.WHITE

    def show_accessible(self) -> None:
        """The mode's button: yellow with a tick while it is on (the header keeps its size)."""
        label = _("Large text · voice")
        self.accessible.text = ("✓ " + label) if theme.accessible else label
        palette = theme.ACCESSIBLE_PALETTE if theme.accessible else theme.NORMAL_PALETTE
        self.accessible.background_color, self.accessible.color = palette["SECONDARY"], palette["INK"]

    def relabel(self) -> None:
        """After a language switch."""
        self.language.text = "English" if i18n.language == "zh_CN" else "中文"
        self.staff.text = _("Staff")
        self.show_accessible()
        self.show_link(self._state)


class HeaderPoller:
    """Reads the link state every ``interval`` seconds (or when poked) off the UI thread."""

    def __init__(self, read: Callable[[], LinkState], show: Callable[[LinkState], None], interval: float):
        self.read, self.show, self.interval = read, show, interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="header-poller", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                state = self.read()
            except Exception:  # the header must never take the app down
                log.exception("header refresh failed")
            else:
                Clock.schedule_once(lambda _dt, st=state: self.show(st), 0)
            self._wake.wait(self.interval)
            self._wake.clear()
