"""What every screen has: a body rebuilt on entry, a bottom bar with Back and Home, a
voice prompt, and a helper to run slow work off the UI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from ..i18n import _
from ..ui import theme
from ..ui.release import release
from ..ui.widgets import BigButton, paint
from ..visit.ports import ScannerStopped

if TYPE_CHECKING:
    from ..context import KioskContext

log = logging.getLogger(__name__)

WAIT_S = 0.1  # slow work still running this long after the tap: its first frame was drawn


def scan_trouble(error: BaseException | None) -> str:
    """What the resident reads when a scan brought no page: a stopped scanner is not their fault."""
    if isinstance(error, ScannerStopped):
        return _("The scanner stopped for a moment. Everything you gave is kept; please try again.")
    return _("The picture could not be checked. Please try again.")


class KioskScreen(Screen):
    """Subclasses implement :meth:`build` (fill ``self.body``) and may add bar buttons."""

    title = ""

    def __init__(self, ctx: KioskContext, **kw: Any) -> None:
        super().__init__(**kw)
        self.ctx = ctx
        self.busy = False
        self.prepared: tuple | None = None  # built_from() when prepare() built the body
        outer = BoxLayout(orientation="vertical", padding=(24, 16, 24, 12), spacing=12)
        paint(outer, theme.WHITE)
        self.body = BoxLayout(orientation="vertical", spacing=12)
        self.bar = BoxLayout(orientation="horizontal", size_hint_y=None, height=theme.BUTTON_H, spacing=16)
        outer.add_widget(self.body)
        outer.add_widget(self.bar)
        self.add_widget(outer)

    # -- lifecycle ----------------------------------------------------------------------
    def on_pre_enter(self, *_a: object) -> None:
        if self.prepared is None or self.prepared != self.built_from():
            self.refresh()
        self.prepared = None
        self.speak(self.prompt())

    def built_from(self) -> tuple | None:
        """What the body shows depends on, for a screen that can be built ahead by
        :meth:`prepare` (None: it cannot; it is built on entry)."""
        return None

    def prepare(self) -> None:
        """Build the body now, off screen, as entering would: entering then only shows it,
        unless what it was built from changed meanwhile (the language, the mode …)."""
        self.refresh()
        self.prepared = self.built_from()

    def speak(self, text: str) -> None:
        """Say ``text`` with the profile's voice: always in the accessibility mode, else
        only when the profile turns prompts on."""
        devices = self.ctx.devices
        (devices.reader if theme.accessible else devices.voice).say(text)

    def announce(self, text: str) -> None:
        """A message the screen shows (a problem, a page received): read aloud too in the
        accessibility mode, for a resident who cannot read it."""
        if theme.accessible:
            self.ctx.devices.reader.say(text)

    def refresh(self) -> None:
        """Rebuild body and bar from the current visit (cheap: screens are small)."""
        old = [*self.body.children, *self.bar.children]
        self.body.clear_widgets()
        self.bar.clear_widgets()
        self.build()
        self.build_bar()
        release(old, keep=[self.body, self.bar, *self.kept()])  # a widget built again is kept

    def kept(self) -> list[Widget]:
        """Widgets off screen now that the screen will show again (never released)."""
        return []

    def build(self) -> None:
        raise NotImplementedError

    def prompt(self) -> str:
        """What the voice says on entering (empty: nothing)."""
        return ""

    def build_bar(self) -> None:
        self.bar.add_widget(BigButton(_("Back"), self.go_back, kind="secondary", size_hint_x=None, width=200))
        self.bar.add_widget(BigButton(_("Home"), self.go_home, kind="secondary", size_hint_x=None, width=200))
        self.bar.add_widget(Widget())
        for button in self.actions():
            self.bar.add_widget(button)

    def actions(self) -> list[BigButton]:
        return []

    # -- navigation ---------------------------------------------------------------------
    def go_back(self) -> None:
        self.ctx.flow.back()

    def go_home(self) -> None:
        self.ctx.flow.home()

    # -- slow work ----------------------------------------------------------------------
    def run_slow(self, work: Callable[[], Any], done: Callable[[Any, BaseException | None], None]) -> None:
        """Run ``work`` in a thread; ``done(result, error)`` runs back on the UI thread."""
        self.busy = True

        def worker() -> None:
            result, error = None, None
            try:
                result = work()
            except BaseException as exc:  # reported to the screen, which shows a message
                log.exception("background work failed")
                error = exc

            def finish(_dt: float) -> None:
                waiting.cancel()  # done first: no chore after it (nor in the next work's wait)
                self.busy = False
                done(result, error)

            Clock.schedule_once(finish, 0)

        # the resident has seen the work begin and waits for it: a moment for the app's own
        # chores (``ctx.on_wait``: a garbage collection), none once it is done
        waiting = Clock.schedule_once(lambda _dt: self.ctx.on_wait(), WAIT_S)
        threading.Thread(target=worker, name=f"{self.name}-work", daemon=True).start()
