"""The header every screen shows: where this is, online or offline, what waits to be sent.

Refreshed from the outbox and the sync worker by :class:`HeaderPoller`, on its own
thread (the counts are database reads: never on the UI thread); a resident (and the
staff member glancing over) always knows whether the kiosk can reach the server.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from .. import i18n
from ..i18n import _
from . import theme
from .widgets import BigButton, paint

log = logging.getLogger(__name__)
LinkState = tuple[bool, int, int, str]  # online, waiting (incl. sending), failed, transfer deadline warning


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
        self.place = _label(station, halign="left", valign="middle", size_hint_x=0.19)
        self.place.bind(size=lambda w, v: setattr(w, "text_size", v))
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
