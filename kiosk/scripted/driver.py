"""Drive a running :class:`~kiosk.app.KioskApp` frame by frame, as a person would.

The app runs embedded (``runTouchApp(embedded=True)``): the driver advances Kivy's
event loop itself, taps buttons by their label, waits for background work to land on
the UI thread, and saves screenshots. Timings of each step are kept for the benchmark.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from kivy.base import EventLoop
from kivy.uix.button import Button
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from ..i18n import _
from ..visit.steps import Step
from .errors import ScriptError

__all__ = ["Driver", "ScriptError"]


def save_png(widget: Widget, path: Path) -> None:
    """The widget as drawn, saved as PNG by Pillow's PNG writer alone: Kivy's own
    ``export_to_png`` asks every image loader whether it can save, and Pillow's answer
    imports all of its ~40 format plugins into the app being measured."""
    from PIL import Image

    texture = widget.export_as_image().texture
    Image.frombytes("RGBA", texture.size, texture.pixels).save(path, format="PNG")


class Driver:
    def __init__(self, app, shots: Path | None = None) -> None:
        self.app = app
        self.shots = shots
        self.screenshots: list[Path] = []
        self.transitions_ms: list[tuple[str, float]] = []  # tap → next screen drawn
        self.builds_ms: list[tuple[str, float]] = []  # tap → next screen built (before drawing)
        self.header_links: set[str] = set()  # every online/offline text the header showed
        if shots:
            shots.mkdir(parents=True, exist_ok=True)

    # -- time -------------------------------------------------------------------------
    def pump(self, frames: int = 1) -> None:
        for _i in range(frames):
            EventLoop.idle()

    def wait(self, ready: Callable[[], bool], timeout: float = 120.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise ScriptError(f"timed out waiting for {what or ready}")
            self.pump()
        self.pump(2)

    def idle(self) -> None:
        """Wait for background work (scans, saving) to come back to the UI thread."""
        self.wait(lambda: not self.screen.busy, what=f"{self.step} to finish its work")

    # -- what is showing --------------------------------------------------------------
    @property
    def step(self) -> Step:
        return self.app.ctx.flow.step

    @property
    def screen(self):
        return self.app.current_screen()

    def _buttons(self) -> list[Button]:
        found = [w for w in self.screen.walk(restrict=True) if isinstance(w, Button)]
        return found + [w for w in self.app.header.walk(restrict=True) if isinstance(w, Button)]

    def button(self, label: str) -> Button:
        """A visible, enabled button whose text is ``label`` (a msgid, translated) or starts with it."""
        wanted = [_(label), label]
        for exact in (True, False):
            for button in self._buttons():
                text = getattr(button, "raw", button.text).replace("✓ ", "")
                text = text.removeprefix("○ ").removeprefix("● ")  # a choice's unticked/ticked mark
                hit = text in wanted if exact else any(text.startswith(w) for w in wanted)
                if hit and not button.disabled:
                    return button
        shown = [getattr(b, "raw", b.text) for b in self._buttons()][:30]
        raise ScriptError(f"no button {label!r} on {self.step}: {shown}")

    def text_input(self, index: int = 0) -> TextInput:
        inputs = [w for w in self.screen.walk(restrict=True) if isinstance(w, TextInput)]
        return inputs[index]

    # -- acting -----------------------------------------------------------------------
    def tap(self, label: str, expect: Step | None = None) -> None:
        before = self.step
        button = self.button(label)
        self.app.ctx.flow.touch()  # what the window's touch-down does for a finger
        began = time.perf_counter()
        button.dispatch("on_release")
        built = time.perf_counter()
        self.pump()  # one frame: layout, textures, draw, flip
        if expect is not None:
            if self.step is not expect:
                raise ScriptError(f"tap {label!r} on {before}: expected {expect}, now {self.step}")
            if expect is not before:
                drawn = time.perf_counter()
                self.transitions_ms.append((f"{before}->{expect}", (drawn - began) * 1000))
                self.builds_ms.append((f"{before}->{expect}", (built - began) * 1000))
        self.pump()

    def frame_time(self, frames: int = 5) -> float:
        """Median time of a full redraw with nothing changed (layout-free: draw and flip)."""
        from kivy.core.window import Window

        times = []
        for _i in range(frames):
            Window.canvas.ask_update()
            began = time.perf_counter()
            self.pump()
            times.append((time.perf_counter() - began) * 1000)
        return round(sorted(times)[len(times) // 2], 1)

    def type_keys(self, keys: str) -> None:
        for key in keys:
            self.tap(key)

    def shot(self, name: str) -> Path:
        self.app.header.show_link(self.app.read_link())  # what the poller shows a moment later
        self.pump(2)
        self.header_links.add(self.app.header.link.text)
        if self.shots is None:
            return Path()
        path = self.shots / f"{len(self.screenshots) + 1:02d}-{name}.png"
        save_png(self.app.root, path)
        self.screenshots.append(path)
        return path
