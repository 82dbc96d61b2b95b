"""Work for the UI thread that must not delay what a tap asked to show."""

from __future__ import annotations

from collections.abc import Callable


def after_frame(callback: Callable[[], None]) -> None:
    """Run ``callback`` on the UI thread once the next frame is on the display (early in
    the frame after it)."""
    from kivy.clock import Clock
    from kivy.core.window import Window

    def flipped(*_a: object) -> None:
        Window.unbind(on_flip=flipped)
        Clock.schedule_once(lambda _dt: callback(), 0)

    Window.bind(on_flip=flipped)
