"""A page thumbnail that opens the page large: at ~110 px a household-register page is
only a grey rectangle, and a resident must see which page is which before reordering.

The large view is laid over the screen itself (not a window-level popup), so it belongs
to the screen: it is released with it and a screenshot of the app shows it.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.image import Image
from kivy.uix.widget import Widget

from . import theme
from .release import release
from .widgets import BigButton, paint


class Thumbnail(ButtonBehavior, Image):
    def __init__(self, on_press: Callable[[], None], **kw) -> None:
        super().__init__(fit_mode="contain", **kw)
        self.bind(on_release=lambda *_a: on_press())


class PagePreview(FloatLayout):
    """The page over most of the screen (dimmed around it), and one big button to close."""

    def __init__(self, texture, close_label: str) -> None:
        super().__init__()
        paint(self, (0, 0, 0, 0.6))
        box = BoxLayout(
            orientation="vertical",
            spacing=12,
            padding=16,
            size_hint=(0.9, 0.94),
            pos_hint={"center_x": 0.5, "center_y": 0.5},
        )
        paint(box, theme.WHITE)
        self.image = Image(fit_mode="contain")
        self.image.texture = texture
        box.add_widget(self.image)
        self.close_button = BigButton(close_label, self.dismiss, kind="primary")
        box.add_widget(self.close_button)
        self.add_widget(box)

    def open(self, over: Widget) -> None:
        over.add_widget(self)

    def dismiss(self) -> None:
        if self.parent is not None:
            self.parent.remove_widget(self)
        release([self])

    def on_touch_down(self, touch) -> bool:
        super().on_touch_down(touch)
        return True  # nothing under the large page reacts while it is open
