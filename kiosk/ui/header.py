"""The header every screen shows: where this is, online or offline, what waits to be sent.

Refreshed on a timer from the outbox and the sync worker; a resident (and the staff
member glancing over) always knows whether the kiosk can reach the server.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from .. import i18n
from ..i18n import _
from . import theme
from .widgets import BigButton, paint


def _label(text: str = "", **kw) -> Label:
    kw.setdefault("font_size", theme.TEXT_PX)
    return Label(text=text, font_name=theme.FONT_NAME, color=theme.WHITE, **kw)


class Header(BoxLayout):
    def __init__(
        self,
        station: str,
        on_language: Callable[[], None],
        on_staff: Callable[[], None],
        **kw,
    ) -> None:
        super().__init__(
            orientation="horizontal", size_hint_y=None, height=96, padding=(20, 6), spacing=16, **kw
        )
        paint(self, theme.HEADER_BG)
        self.place = _label(station, halign="left", valign="middle", size_hint_x=0.3)
        self.place.bind(size=lambda w, v: setattr(w, "text_size", v))
        self.step = _label("", font_size=theme.TEXT_PX + 4, bold=True, size_hint_x=0.3)
        self.link = _label("", bold=True, size_hint_x=0.12)
        self.queue = _label("", size_hint_x=0.14)
        self.language = BigButton(
            "English", on_language, kind="secondary", size_hint_x=0.1, height=80, wrap=False
        )
        self.staff = BigButton(
            _("Staff"), on_staff, kind="secondary", size_hint_x=0.12, height=80, wrap=False
        )
        for button in (self.language, self.staff):
            button.font_size = theme.TEXT_PX
        for widget in (self.place, self.step, self.link, self.queue, self.language, self.staff):
            self.add_widget(widget)

    def show(self, step_title: str, online: bool, waiting: int, failed: int) -> None:
        self.step.text = step_title
        self.link.text = "● " + (_("Online") if online else _("Offline"))
        self.link.color = (0.55, 1, 0.6, 1) if online else (1, 0.8, 0.3, 1)
        text = _("{n} waiting to send").format(n=waiting)
        if failed:
            text += " / " + _("{n} failed").format(n=failed)
        self.queue.text = text
        self.language.text = "English" if i18n.language == "zh_CN" else "中文"
        self.staff.text = _("Staff")
