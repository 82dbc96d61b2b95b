"""Materials: answer the yes/no questions, then for each needed material read the
instructions, watch the live preview, capture; the quality gate's message says what to
fix and the resident retakes. Pages can be reviewed, reordered and deleted.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image

from ..i18n import _
from ..ui import theme
from ..ui.frames import texture_of, texture_of_file
from ..ui.preview import PagePreview, Thumbnail
from ..ui.widgets import BigButton, Text, row, scroll_list, title
from ..visit.plain_words import explain
from ..visit.steps import Step
from .base import scan_trouble
from .capture import CaptureScreen

PREVIEW_FPS = 4
THUMB_W, PAGE_BUTTON_W, PAGE_ROW_H = 112, 150, 150
PAGE_ROW_W = THUMB_W + 2 * PAGE_BUTTON_W + 2 * 6 + 18  # thumbnail, then [page n, delete] over [↑ up, ↓ down]


class MaterialsScreen(CaptureScreen):
    title = "Materials"

    def __init__(self, ctx, **kw) -> None:
        super().__init__(ctx, **kw)
        self.current: str | None = None
        self.note = ("", theme.INK)
        self.retake = False
        self._preview_event = None
        self._shown: tuple[object, object] = (None, None)  # the frame and widget last shown
        self._thumbs: dict = {}  # page file → texture, for this visit
        self._visit_id = ""

    def prompt(self) -> str:
        return _("Put each material under the camera and press Capture.")

    def on_pre_enter(self, *a: object) -> None:
        self.note, self.retake = ("", theme.INK), False
        if self.ctx.flow.visit.visit_id != self._visit_id:  # another resident: drop the old pictures
            self._thumbs, self._visit_id = {}, self.ctx.flow.visit.visit_id
        items = self.ctx.service.checklist() if self.ctx.flow.visit.matter else []
        if self.current not in {i.requirement.code for i in items}:
            missing = [i for i in items if not i.done]
            pool = missing or items
            self.current = pool[0].requirement.code if pool else None
        super().on_pre_enter(*a)
        self._preview_event = Clock.schedule_interval(self.update_preview, 1 / PREVIEW_FPS)

    def on_leave(self, *_a: object) -> None:
        for preview in [w for w in self.children if isinstance(w, PagePreview)]:
            preview.dismiss()
        if self.ctx.flow.step is Step.home:  # the visit is over: its pictures go with it
            self._thumbs = {}
        if self._preview_event is not None:
            self._preview_event.cancel()
            self._preview_event = None

    def build(self) -> None:
        questions = self.ctx.service.questions()
        if questions:
            self.build_question(questions[0])
            return
        items = self.ctx.service.checklist()
        main = BoxLayout(orientation="horizontal", spacing=20)
        view, grid = scroll_list(spacing=8)
        for item in items:
            mark = "✓ " + _("{n} page(s)").format(n=item.pages_have) if item.done else _("still needed")
            kind = "primary" if item.requirement.code == self.current else "secondary"
            grid.add_widget(
                BigButton(
                    f"{item.requirement.name}\n{mark}",
                    lambda c=item.requirement.code: self.select(c),
                    kind=kind,
                    height=110,
                    grow=True,
                )
            )
        left = BoxLayout(orientation="vertical", size_hint_x=0.34)
        left.add_widget(Text(_("Your materials:"), bold=True))
        left.add_widget(view)
        main.add_widget(left)
        main.add_widget(self.build_current(items))
        self.body.add_widget(main)

    def build_question(self, req) -> None:
        self.body.add_widget(title(_("One question first")))
        self.body.add_widget(Text(req.condition or req.name, size=theme.TITLE_PX, color=theme.PRIMARY))
        for term, meaning in explain(req.condition or ""):  # jargon, in everyday words
            self.body.add_widget(Text(_("What “{term}” means: ").format(term=term) + meaning))
        self.body.add_widget(Text(_("If yes, you will also need: ") + req.name))
        # neither answer is highlighted before the resident chooses one
        self.body.add_widget(
            row(
                BigButton(_("Yes"), lambda: self.answer(req.code, True), kind="secondary", height=100),
                BigButton(_("No"), lambda: self.answer(req.code, False), kind="secondary", height=100),
                height=100,
            )
        )
        self.body.add_widget(BoxLayout())

    def answer(self, code: str, yes: bool) -> None:
        self.ctx.service.answer(code, yes)
        self.on_pre_enter()

    def build_current(self, items) -> BoxLayout:
        box = BoxLayout(orientation="vertical", spacing=8)
        item = next((i for i in items if i.requirement.code == self.current), None)
        if item is None:
            box.add_widget(Text(_("No materials are needed.")))
            return box
        box.add_widget(Text(item.describe(), bold=True))
        top = BoxLayout(orientation="horizontal", spacing=12)
        self.preview = Image(fit_mode="contain")
        top.add_widget(self.preview)
        pages_view, self.pages_grid = scroll_list(spacing=6)
        pages_view.size_hint_x, pages_view.width = None, PAGE_ROW_W
        top.add_widget(pages_view)
        box.add_widget(top)
        self.message = Text(self.note[0], color=self.note[1])
        box.add_widget(self.message)
        label = _("Retake") if self.retake else _("Capture")
        self.capture_button = BigButton(label, self.capture, kind="ok")
        box.add_widget(self.capture_button)
        self.fill_pages()
        self.update_preview()
        return box

    def fill_pages(self) -> None:
        visit = self.ctx.flow.visit
        self.pages_grid.clear_widgets()
        pages = visit.pages.get(self.current or "", [])
        for index, page in enumerate(pages):
            line = BoxLayout(orientation="horizontal", size_hint_y=None, height=PAGE_ROW_H, spacing=6)
            thumb = Thumbnail(lambda p=page.path: self.enlarge(p), size_hint_x=None, width=THUMB_W)
            thumb.texture = self.thumbnail(page.path)
            line.add_widget(thumb)
            keys = GridLayout(cols=2, spacing=6, size_hint_x=None, width=2 * PAGE_BUTTON_W + 6)
            number = Text(_("Page {n}").format(n=index + 1), bold=True)
            number.halign = "center"
            keys.add_widget(number)
            for label, action, kind, shown in (
                (_("Delete"), lambda i=index: self.delete(i), "danger", True),
                (_("↑ Up"), lambda i=index: self.move(i, -1), "secondary", index > 0),
                (_("↓ Down"), lambda i=index: self.move(i, 1), "secondary", index < len(pages) - 1),
            ):
                button = BigButton(label, action, kind=kind, height=(PAGE_ROW_H - 6) // 2, wrap=False)
                button.disabled = not shown
                button.opacity = 1 if shown else 0.35
                keys.add_widget(button)
            line.add_widget(keys)
            self.pages_grid.add_widget(line)

    def enlarge(self, path) -> None:
        """The page, large enough to recognise, over the screen; 关闭 (or a tap) closes it."""
        self.ctx.flow.touch()
        PagePreview(texture_of_file(path.read_bytes(), 1100), _("Close")).open(self)

    def thumbnail(self, path):
        """Decoded once per page (a rebuilt screen reuses the texture)."""
        if path not in self._thumbs:
            self._thumbs[path] = texture_of_file(path.read_bytes(), 160)
        return self._thumbs[path]

    # -- actions ----------------------------------------------------------------------
    def select(self, code: str) -> None:
        self.current, self.note, self.retake = code, ("", theme.INK), False
        self.refresh()

    def move(self, index: int, offset: int) -> None:
        self.ctx.flow.touch()
        self.ctx.flow.visit.move_page(self.current or "", index, offset)
        self.fill_pages()

    def delete(self, index: int) -> None:
        self.ctx.flow.touch()
        self.ctx.flow.visit.delete_page(self.current or "", index)
        self.refresh()

    def update_preview(self, *_a: object) -> None:
        if self.busy or not hasattr(self, "preview") or self.preview.parent is None:
            return
        frame = self.ctx.devices.camera.preview()
        if frame is None:
            return
        last_frame, last_widget = self._shown
        if frame is last_frame and self.preview is last_widget:
            return  # the same still frame (a virtual camera): no new texture to make
        self._shown = (frame, self.preview)
        texture = texture_of(frame)
        if texture is not None:
            self.preview.texture = texture

    def capture(self) -> None:
        if self.busy or not self.current:
            return
        code, matter = self.current, self.ctx.flow.visit.matter
        self.scan_capture(code, matter, lambda p, e: self.scanned(code, p, e))

    def scanned(self, code: str, page, error) -> None:
        self.ctx.flow.touch()
        if error or page is None:
            self.note, self.retake = (scan_trouble(error), theme.DANGER), True
        elif not page.ok:
            reasons = "\n".join(message for _code, message in page.problems)
            self.note, self.retake = (reasons or _("Please retake the picture."), theme.DANGER), True
        else:
            self.ctx.service.add_scan(code, page)
            count = self.ctx.flow.visit.page_count(code)
            self.note, self.retake = (_("Page {n} received.").format(n=count), theme.OK_GREEN), False
            item = next(i for i in self.ctx.service.checklist() if i.requirement.code == code)
            if item.done:
                missing = [i for i in self.ctx.service.checklist() if not i.done]
                if missing:
                    self.current = missing[0].requirement.code
        self.announce(self.note[0])
        if self.ctx.flow.step is Step.materials:
            self.refresh()

    def actions(self) -> list[BigButton]:
        if self.ctx.service.questions():
            return []
        return [
            BigButton(
                _("Check my materials"), lambda: self.ctx.flow.go(Step.check), size_hint_x=None, width=340
            )
        ]
