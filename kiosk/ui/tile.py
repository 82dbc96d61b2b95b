"""A large home-screen tile: a pictogram above a short label, the whole tile one button."""

from __future__ import annotations

from collections.abc import Callable

from kivy.graphics import InstructionGroup

from . import theme
from .pictograms import draw
from .widgets import BigButton

ICON_SHARE = 0.5  # of the tile's height


class Tile(BigButton):
    """Fills its grid cell (the grid shares the screen's height among its rows)."""

    def __init__(self, label: str, icon: str, on_press: Callable[[], None], kind: str = "secondary", **kw):
        kw.setdefault("size_hint_y", 1)
        super().__init__(label, on_press, kind=kind, **kw)
        self.icon = icon
        self.ink = theme.WHITE if kind == "primary" else theme.PRIMARY
        self.bold = True
        self.font_size = theme.face(theme.LARGE_PX, bold=True)[0]
        self._icon = InstructionGroup()
        self.canvas.after.add(self._icon)
        self.bind(pos=self._draw, size=self._draw)

    def _draw(self, *_a: object) -> None:
        self._icon.clear()
        size = self.height * ICON_SHARE
        self.padding = (8, size + 8, 8, 0)  # the label sits below the pictogram
        x = self.x + (self.width - size) / 2
        y = self.top - size - 10
        draw(self._icon, self.icon, (x, y), size, self.ink, tuple(self.background_color))
