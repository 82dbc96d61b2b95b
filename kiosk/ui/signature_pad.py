"""A pad the recipient signs on with a finger (签收): it keeps the strokes, not a picture.

Each touch that starts on the pad is grabbed and followed until it lifts, one stroke per
touch, in pad pixels with the origin top left (``shared_schema.signature``). Points
beyond the schema's bounds are not recorded (a stroke stops growing, further strokes are
ignored), so what the pad holds is always a valid :class:`Signature`.
"""

from __future__ import annotations

from kivy.graphics import Color, Line, Rectangle
from kivy.uix.widget import Widget

from shared_schema.signature import MAX_POINTS, MAX_STROKES, Signature

INK = (0.05, 0.05, 0.1, 1)
PAPER = (1, 1, 1, 1)
BORDER = (0.55, 0.6, 0.7, 1)


class SignaturePad(Widget):
    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.strokes: list[list[tuple[int, int]]] = []
        self.bind(pos=self.redraw, size=self.redraw)

    def _point(self, pos: tuple[float, float]) -> tuple[int, int]:
        x = min(max(round(pos[0] - self.x), 0), round(self.width))
        y = min(max(round(self.top - pos[1]), 0), round(self.height))
        return x, y

    def on_touch_down(self, touch) -> bool:
        if not self.collide_point(*touch.pos) or len(self.strokes) >= MAX_STROKES:
            return super().on_touch_down(touch)
        touch.grab(self)
        self.strokes.append([self._point(touch.pos)])
        self.redraw()
        return True

    def on_touch_move(self, touch) -> bool:
        if touch.grab_current is not self:
            return super().on_touch_move(touch)
        stroke = self.strokes[-1]
        point = self._point(touch.pos)
        if len(stroke) < MAX_POINTS and point != stroke[-1]:
            stroke.append(point)
            self.redraw()
        return True

    def on_touch_up(self, touch) -> bool:
        if touch.grab_current is not self:
            return super().on_touch_up(touch)
        touch.ungrab(self)
        return True

    def clear(self) -> None:
        self.strokes = []
        self.redraw()

    def signature(self) -> Signature | None:
        """What was written, or None when nothing was."""
        if not self.strokes:
            return None
        width, height = max(1, round(self.width)), max(1, round(self.height))
        return Signature(width=width, height=height, strokes=[list(s) for s in self.strokes])

    def redraw(self, *_args: object) -> None:
        self.canvas.clear()
        with self.canvas:
            Color(*PAPER)
            Rectangle(pos=self.pos, size=self.size)
            Color(*BORDER)
            Line(rectangle=(self.x, self.y, self.width, self.height), width=1.5)
            Color(*INK)
            for stroke in self.strokes:
                points = [c for x, y in stroke for c in (self.x + x, self.top - y)]
                if len(stroke) == 1:
                    Line(circle=(points[0], points[1], 2), width=2)
                else:
                    Line(points=points, width=2.5)
