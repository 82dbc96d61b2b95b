"""The Kivy kiosk: a header, one screen per visit step, the idle timer. Nothing else.

Screens are created on first use (launch shows Home quickly); the visit flow decides
which one shows, so the app only listens and switches. Once Home is on screen, a
background thread warms up what the visit will need (Pillow, the screen modules), so
neither launch nor the first capture waits. PDFs are rendered in a child process
(``visit/render_child.py``) and scans in the scan worker: ReportLab, numpy and OpenCV
never load in the app.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable

from kivy.app import App
from kivy.cache import Cache
from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from . import i18n
from .context import KioskContext
from .i18n import _
from .quiet_gc import QuietCollector
from .screens.base import KioskScreen
from .ui import theme
from .ui.after_frame import after_frame
from .ui.faces import close_faces, install_faces
from .ui.header import Header, HeaderPoller
from .ui.release import release
from .visit.steps import Step

log = logging.getLogger(__name__)

SCREENS: dict[Step, tuple[str, str]] = {
    Step.home: ("home", "HomeScreen"),
    Step.guide: ("guide", "GuideScreen"),
    Step.identity: ("identity", "IdentityScreen"),
    Step.materials: ("materials", "MaterialsScreen"),
    Step.check: ("check", "CheckScreen"),
    Step.promise: ("promise", "PromiseScreen"),
    Step.receipt: ("receipt", "ReceiptScreen"),
    Step.rating: ("rating", "RatingScreen"),
    Step.status_pickup: ("status_pickup", "StatusPickupScreen"),
    Step.supplement: ("supplement", "SupplementScreen"),
    Step.assist: ("assist", "AssistScreen"),
    Step.feedback: ("feedback", "FeedbackScreen"),
}
HEADER_REFRESH_S = 2.0
# the step a resident goes to next from these, built while they read (its build is slow)
AHEAD = {Step.guide: Step.identity}
WARM_MODULES = [
    *(f"kiosk.screens.{module}" for module, _cls in SCREENS.values()),
    "kiosk.ui.frames",
    "segno",
]


class KioskApp(App):
    def __init__(
        self, ctx: KioskContext, on_ready: Callable[[KioskApp], None] | None = None, **kw: object
    ) -> None:
        super().__init__(**kw)
        self.ctx = ctx
        self.title = "市域通办 自助终端"
        self.on_ready_cb = on_ready
        self.started = time.perf_counter()
        self.last_switch_ms: float | None = None
        self.warm = threading.Event()  # set when the warm-up after launch has finished
        self.poller: HeaderPoller | None = None
        self.collector = QuietCollector(ctx.flow.idle_for)
        ctx.on_wait = self.collector.waiting
        self.entered_prepared: list[str] = []  # steps entered with their screen built ahead (tests)

    def build(self) -> BoxLayout:
        theme.register_font()
        install_faces()
        root = BoxLayout(orientation="vertical")
        self.header = Header(
            self.ctx.station_name(), self.toggle_language, self.staff, self.toggle_accessible
        )
        self.idle_timeout_s = self.ctx.flow.idle_timeout_s
        self.manager = ScreenManager(transition=NoTransition())
        root.add_widget(self.header)
        root.add_widget(self.manager)
        self.ctx.flow.subscribe(self.on_step)
        self.show(Step.home)
        from kivy.core.window import Window

        Window.bind(
            on_touch_down=lambda *_a: self.ctx.flow.touch(), on_key_down=lambda *_a: self.ctx.flow.touch()
        )
        Clock.schedule_interval(self.tick, 1.0)
        self.poller = HeaderPoller(self.read_link, self.header.show_link, HEADER_REFRESH_S)
        self.poller.start()
        Clock.schedule_once(self.home_shown, 0)
        return root

    def home_shown(self, _dt: float) -> None:
        if self.on_ready_cb:
            self.on_ready_cb(self)
        threading.Thread(target=self.warm_up, name="warm-up", daemon=True).start()

    def warm_up(self) -> None:
        """Load now, in the background, what the first capture and print would wait for."""
        try:
            self.ctx.search.prepare()
            preload = getattr(self.ctx.scanner, "preload", None)
            if preload is not None:
                preload()
            for module in WARM_MODULES:
                importlib.import_module(module)
            from .ui.icons import draw_all

            draw_all(self.ctx.home / "icons")  # the guide shows them: not drawn on its first frame
        except Exception:  # only a slower first capture; the visit loads it again on use
            log.exception("warm-up failed")
        finally:
            self.collector.settle()
            self.warm.set()

    def screen(self, step: Step) -> KioskScreen:
        module, cls = SCREENS[step]
        if not self.manager.has_screen(step.value):
            screen_cls = getattr(importlib.import_module(f"kiosk.screens.{module}"), cls)
            self.manager.add_widget(screen_cls(self.ctx, name=step.value))
        return self.manager.get_screen(step.value)

    def show(self, step: Step) -> None:
        began = time.perf_counter()
        first = not self.manager.screens
        screen = self.screen(step)
        if screen.prepared is not None and screen.prepared == screen.built_from():
            self.entered_prepared.append(step.value)
        if self.manager.current != step.value:
            self.manager.current = step.value
        elif not first:  # the first screen added was entered by the manager already
            screen.on_pre_enter()
        self.last_switch_ms = (time.perf_counter() - began) * 1000
        self.header.show_title(_(type(screen).title))
        if self.poller is not None:
            self.poller.poke()

    def on_step(self, before: Step, after: Step) -> None:
        if after is Step.home and before is not Step.home and theme.accessible:
            self.apply_accessible(False)  # the next resident starts with the usual screen
        self.show(after)
        if after is Step.home and before is not Step.home:
            self.forget_visit()
        self.ahead()
        self.collector.changed()

    def ahead(self) -> None:
        """Once this screen's first frame is on the display, build the next step's screen
        while the resident reads (again after a change of language or mode: it is built
        in those)."""
        shown = self.ctx.flow.step
        if shown in AHEAD:
            after_frame(lambda: self.prepare_ahead(shown))

    def prepare_ahead(self, shown: Step) -> None:
        if self.ctx.flow.step is shown:
            self.screen(AHEAD[shown]).prepare()

    def forget_visit(self) -> None:
        """Back at Home: the screens of the visit, their textures and the camera's last
        frame go now (rebuilt on the next visit's first use: a few ms each); the quiet
        collection then hands the memory back to the system."""
        for screen in [s for s in self.manager.screens if s.name != Step.home.value]:
            self.manager.remove_widget(screen)
            release([screen])
        for category in ("textinput.label", "textinput.width"):  # line textures of the text fields
            Cache.remove(category)
        self.ctx.devices.camera.close()  # reopened by the next preview or capture

    def current_screen(self) -> KioskScreen:
        return self.manager.current_screen

    def read_link(self) -> tuple[bool, int, int, str]:
        """Queue and link state for the header (runs on the poller's thread: database I/O)."""
        counts = self.ctx.outbox.counts()
        deadline = self.ctx.transfer.header_line(counts)  # the oldest unsent item's transfer deadline
        return self.ctx.sync.online(), counts.waiting + counts.sending, counts.failed, deadline

    def tick(self, _dt: float) -> None:
        self.ctx.flow.check_idle()
        self.collector.tick()

    def toggle_language(self) -> None:
        i18n.install("en" if i18n.language == "zh_CN" else "zh_CN")
        self.current_screen().refresh()
        self.header.show_title(_(type(self.current_screen()).title))
        self.header.relabel()
        self.ahead()

    def toggle_accessible(self) -> None:
        self.set_accessible(not theme.accessible)
        screen = self.current_screen()
        if theme.accessible:
            screen.speak(screen.prompt())

    def set_accessible(self, on: bool) -> None:
        self.apply_accessible(on)
        self.current_screen().refresh()
        self.ahead()

    def apply_accessible(self, on: bool) -> None:
        """Larger text, higher contrast, prompts read aloud, three times the idle time
        (screens built from now on; the caller refreshes the one showing)."""
        theme.set_accessible(on)
        close_faces(theme.faces_in_use())  # the mode's larger faces at its end: ~4 MB each
        self.ctx.flow.idle_timeout_s = self.idle_timeout_s * (theme.IDLE_FACTOR if on else 1)
        self.ctx.flow.touch()
        self.header.show_accessible()

    def staff(self) -> None:
        if self.ctx.flow.step is not Step.assist:
            self.ctx.flow.go(Step.assist)

    def on_stop(self) -> None:
        if self.poller is not None:
            self.poller.stop()
        self.ctx.close()
