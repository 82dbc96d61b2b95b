"""Pages instead of a scroll view: text is never cut in the middle of a line, and more to
read is a big 下一页 button, not a thin scroll bar an older resident does not notice.

The content is a list of blocks: text (laid out here in lines of the page's width, each
line its own label, so a page can end between any two lines) and widgets of a fixed
height (kept whole). A page takes blocks until the next would not fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from ..i18n import _
from . import theme
from .paging import split_pages
from .release import clear
from .widgets import WRAP_SLACK, BigButton, Text, row
from .wrap import wrap

LINE_SPACING = 1.5  # a line's height, in font sizes
PARAGRAPH_GAP = 10


@dataclass
class TextBlock:
    text: str
    bold: bool = False
    color: tuple | None = None


@dataclass
class WidgetBlock:
    make: Callable[[], Widget]
    height: int


Block = TextBlock | WidgetBlock


class Pager(BoxLayout):
    def __init__(self, blocks: list[Block], **kw) -> None:
        super().__init__(orientation="vertical", spacing=8, **kw)
        self.blocks = blocks
        self.pages: list[list[tuple[int, Callable[[], Widget]]]] = []
        self.index = 0
        self.page_box = BoxLayout(orientation="vertical", spacing=0)
        self.nav = BoxLayout(orientation="horizontal", size_hint_y=None, height=0)
        self.add_widget(self.page_box)
        self.add_widget(self.nav)
        self._layout = Clock.create_trigger(self.paginate, 0)
        self.bind(size=lambda *_a: self._layout())

    # -- pages ----------------------------------------------------------------------------
    def lines(self, block: TextBlock, width: float) -> list[tuple[int, Callable[[], Widget]]]:
        size, bold = theme.face(theme.TEXT_PX, block.bold)
        height = int(size * LINE_SPACING)
        shown = wrap(block.text, width - WRAP_SLACK, theme.FONT_NAME, size, bold)
        colour = block.color or theme.INK

        def line(text: str) -> Callable[[], Widget]:
            return lambda: Label(
                text=text, font_name=theme.FONT_NAME, font_size=size, bold=bold, color=colour,
                size_hint_y=None, height=height, halign="left", valign="middle", text_size=(width, height),
            )  # fmt: skip

        return [(height, line(text)) for text in shown.split("\n")]

    def paginate(self, *_a: object) -> None:
        width, room = self.width, self.height - theme.BUTTON_H - self.spacing
        if width < 50 or room < 50:
            return
        items: list[tuple[int, Callable[[], Widget]]] = []
        gaps: set[int] = set()
        for block in self.blocks:
            if isinstance(block, TextBlock):
                items += self.lines(block, width)
            else:
                items.append((block.height, block.make))
            gaps.add(len(items))
            items.append((PARAGRAPH_GAP, Widget))
        pages = [[items[i] for i in page] for page in split_pages([h for h, _m in items], room, gaps)]
        self.pages = pages
        self.show(min(self.index, len(pages) - 1))

    def show(self, index: int) -> None:
        self.index = index
        clear(self.page_box)
        for height, make in self.pages[index]:
            widget = make()
            widget.size_hint_y, widget.height = None, height
            self.page_box.add_widget(widget)
        self.page_box.add_widget(Widget())
        self.build_nav()

    def build_nav(self) -> None:
        clear(self.nav)
        many = len(self.pages) > 1
        self.nav.height = theme.BUTTON_H if many else 0
        if not many:
            return
        first, last = self.index == 0, self.index == len(self.pages) - 1
        back = BigButton(_("▲ Previous page"), self.previous, kind="secondary", wrap=False)
        forward = BigButton(_("Next page ▼"), self.next, wrap=False)
        back.disabled, forward.disabled = first, last
        where = Text(_("Page {n} of {m}").format(n=self.index + 1, m=len(self.pages)), bold=True)
        where.halign = "center"
        self.nav.add_widget(row(back, where, forward))

    @property
    def more(self) -> bool:
        return self.index < len(self.pages) - 1

    def next(self) -> None:
        if self.more:
            self.show(self.index + 1)

    def previous(self) -> None:
        if self.index > 0:
            self.show(self.index - 1)
