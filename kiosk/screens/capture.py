"""What the two capture screens share (the visit's materials, 补交材料): a still from the
camera sent to the scan worker off the UI thread, and the message line under the preview.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..i18n import _
from ..ui import theme
from .base import KioskScreen


class CaptureScreen(KioskScreen):
    """Subclasses build ``self.message`` (a Text) and ``self.capture_button``."""

    note: tuple[str, Any]

    def scan_capture(self, code: str, matter: Any, done: Callable[[Any, BaseException | None], None]) -> None:
        """Capture now and scan as material ``code``; ``done(page, error)`` on the UI thread."""
        self.ctx.flow.touch()
        image = self.ctx.devices.camera.capture()
        if image is None:
            self.show(
                _("The camera sees nothing. Please place the material, or ask the staff."), theme.DANGER
            )
            return
        self.show(_("Checking the picture…"), theme.MUTED)
        self.capture_button.disabled = True
        self.run_slow(lambda: self.ctx.scanner.scan(image, code, matter), done)

    def show(self, text: str, colour) -> None:
        self.note = (text, colour)
        if hasattr(self, "message"):
            self.message.text, self.message.color = text, colour
        self.announce(text)
