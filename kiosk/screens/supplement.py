"""补交材料: the department's correction notice (every item, the reason, the deadline), the
capture of only those items, the check against the notice, confirm and the printed
补正材料接收凭证. The receipt number stays the case's own.

Thin over :class:`~kiosk.visit.supplement_visit.SupplementVisit` (opened by the progress
screen); captures go through the same scanner and page widgets as the visit's materials.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from ..i18n import _
from ..ui import theme
from ..ui.frames import texture_of, texture_of_file
from ..ui.preview import PagePreview, Thumbnail
from ..ui.widgets import BigButton, Text, scroll_list, title
from ..visit.supplement import SupplementRefused
from ..visit.supplement_visit import supplement_page
from .base import scan_trouble
from .capture import CaptureScreen
from .materials import PAGE_BUTTON_W, PAGE_ROW_H, PREVIEW_FPS, THUMB_W


class SupplementScreen(CaptureScreen):
    title = "Supplement"

    def __init__(self, ctx, **kw) -> None:
        super().__init__(ctx, **kw)
        self.phase = "scan"  # scan → check → done
        self.current: str | None = None
        self.note = ("", theme.INK)
        self._preview_event = None

    @property
    def visit(self):
        assert self.ctx.supplement_visit is not None, "opened from the progress screen"
        return self.ctx.supplement_visit

    def prompt(self) -> str:
        if self.phase == "done" and not self.visit.printed:
            return _("Your supplement is received. The slip could not be printed.")
        if self.phase == "done":
            return _("Your supplement is received. Please take the printed slip.")
        if self.phase == "check":
            return self.check_prompt()
        return _("The department asks for the items listed. Put each under the camera and press Capture.")

    def on_pre_enter(self, *a: object) -> None:
        self.phase, self.note = "scan", ("", theme.INK)
        self.current = self.visit.first_missing() or self.visit.items[0].key
        super().on_pre_enter(*a)
        self._preview_event = Clock.schedule_interval(self.update_preview, 1 / PREVIEW_FPS)

    def on_leave(self, *_a: object) -> None:
        if self._preview_event is not None:
            self._preview_event.cancel()
            self._preview_event = None
        self.ctx.supplement_visit = None if self.phase == "done" else self.ctx.supplement_visit

    # -- building -----------------------------------------------------------------------
    def build(self) -> None:
        {"scan": self.build_scan, "check": self.build_check, "done": self.build_done}[self.phase]()

    def build_notice(self) -> BoxLayout:
        """The notice in full, in large type and scrollable: the deadline, the reason, every item."""
        notice = self.visit.notice
        box = BoxLayout(orientation="vertical", spacing=8, size_hint_x=0.46)
        box.add_widget(title(_("Correction notice")))
        view, grid = scroll_list(spacing=8)
        if notice.notice_due:
            due = _("Please hand in by: {due}").format(due=notice.notice_due)
            grid.add_widget(Text(due, size=theme.LARGE_PX, bold=True, color=theme.DANGER))
        grid.add_widget(Text(_("Tap an item, then capture it:"), bold=True))
        for index, item in enumerate(self.visit.items, start=1):
            count = self.visit.count(item.key)
            mark = "✓ " + _("{n} page(s)").format(n=count) if count else _("still needed")
            grid.add_widget(
                BigButton(
                    f"{index}. {item.text}\n{mark}",
                    lambda k=item.key: self.select(k),
                    kind="primary" if item.key == self.current else "secondary",
                    height=120,
                    grow=True,
                )
            )
        grid.add_widget(Text(_("The department's words: ") + notice.message, size=theme.LARGE_PX))
        grid.add_widget(Text(_("Receipt number: ") + notice.receipt_no))
        box.add_widget(view)
        return box

    def build_scan(self) -> None:
        main = BoxLayout(orientation="horizontal", spacing=20)
        main.add_widget(self.build_notice())
        right = BoxLayout(orientation="vertical", spacing=8, size_hint_x=0.54)
        item = self.visit.item(self.current or "")
        right.add_widget(Text(_("Now: ") + item.text, size=theme.LARGE_PX, bold=True))
        top = BoxLayout(orientation="horizontal", spacing=12)
        self.preview = Image(fit_mode="contain")
        top.add_widget(self.preview)
        pages_view, self.pages_grid = scroll_list(spacing=6)
        pages_view.size_hint_x, pages_view.width = None, THUMB_W + PAGE_BUTTON_W + 18
        top.add_widget(pages_view)
        right.add_widget(top)
        self.message = Text(self.note[0], color=self.note[1])
        right.add_widget(self.message)
        self.capture_button = BigButton(_("Capture"), self.capture, kind="ok")
        right.add_widget(self.capture_button)
        main.add_widget(right)
        self.body.add_widget(main)
        self.fill_pages()
        self.update_preview()

    def fill_pages(self) -> None:
        self.pages_grid.clear_widgets()
        for index, page in enumerate(self.visit.pages.get(self.current or "", [])):
            line = BoxLayout(orientation="horizontal", size_hint_y=None, height=PAGE_ROW_H, spacing=6)
            thumb = Thumbnail(lambda d=page.data: self.enlarge(d), size_hint_x=None, width=THUMB_W)
            thumb.texture = texture_of_file(page.data, 160)
            line.add_widget(thumb)
            keys = BoxLayout(orientation="vertical", spacing=6, size_hint_x=None, width=PAGE_BUTTON_W)
            keys.add_widget(Text(_("Page {n}").format(n=index + 1), bold=True))
            keys.add_widget(BigButton(_("Delete"), lambda i=index: self.delete(i), kind="danger", wrap=False))
            line.add_widget(keys)
            self.pages_grid.add_widget(line)

    def check_prompt(self) -> str:
        if self.visit.check().complete:
            return _("Everything the notice asks for is here. Please confirm.")
        return _("Something is still missing. Everything is listed on the screen.")

    def build_check(self) -> None:
        result = self.visit.check()
        main = BoxLayout(orientation="horizontal", spacing=20)
        main.add_widget(self.build_notice())
        right = BoxLayout(orientation="vertical", spacing=10, size_hint_x=0.54)
        if result.complete:
            right.add_widget(title(_("Your supplement is complete")))
            right.add_widget(
                Text(
                    _(
                        "The kiosk will pass these pages to the department, under the same receipt "
                        "number. The department then reviews them."
                    ),
                    size=theme.LARGE_PX,
                )
            )
        else:
            right.add_widget(title(_("Please complete your supplement")))
            view, grid = scroll_list(spacing=6)
            for index, issue in enumerate(result.issues, start=1):
                grid.add_widget(Text(f"{index}. {issue.message}", size=theme.LARGE_PX, color=theme.DANGER))
            right.add_widget(view)
        self.message = Text(self.note[0], color=self.note[1])
        right.add_widget(self.message)
        right.add_widget(BoxLayout())
        main.add_widget(right)
        self.body.add_widget(main)

    def build_done(self) -> None:
        done = self.visit.confirmed
        assert done is not None
        self.body.add_widget(title(_("Your supplement is received")))
        self.body.add_widget(
            Text(_("Receipt number: ") + done.manifest.receipt_no, size=theme.TITLE_PX, bold=True)
        )
        for material in done.manifest.materials:
            item = self.visit.item(material.key)
            pages = _("{n} page(s)").format(n=len(material.pages))
            self.body.add_widget(Text(f"✓ {item.text}  {pages}", size=theme.LARGE_PX))
        if self.visit.printed:
            self.body.add_widget(
                Text(_("Please take the printed slip."), size=theme.LARGE_PX, color=theme.OK_GREEN)
            )
        else:  # queued all the same: the truth, and a way to the slip
            saved = _("Your materials are saved and will be sent; you need not hand them in again.")
            self.body.add_widget(Text(saved, size=theme.LARGE_PX, bold=True, color=theme.OK_GREEN))
            again = _("The slip could not be printed. Print it again, or ask the staff.")
            self.body.add_widget(Text(again, size=theme.LARGE_PX, color=theme.DANGER))
        self.body.add_widget(
            Text(_("The department reviews your materials; check the progress here with the same number."))
        )
        self.body.add_widget(BoxLayout())

    def actions(self) -> list[BigButton]:
        if self.phase == "scan":
            return [BigButton(_("Check my materials"), self.to_check, size_hint_x=None, width=340)]
        if self.phase == "check":
            more = BigButton(_("Add materials"), self.to_scan, kind="secondary", size_hint_x=None, width=260)
            if not self.visit.check().complete:
                return [more]
            return [
                more,
                BigButton(_("Confirm and print"), self.confirm, kind="ok", size_hint_x=None, width=320),
            ]
        done = BigButton(_("Done"), self.go_home, kind="ok", size_hint_x=None, width=220)
        if self.visit.printed:
            return [done]
        again = BigButton(_("Print the slip again"), self.reprint, size_hint_x=None, width=320)
        return [again, done]

    def build_bar(self) -> None:
        super().build_bar()
        if self.phase == "done":  # nothing to go back to: the supplement is queued
            self.bar.children[-1].disabled = True

    # -- actions ------------------------------------------------------------------------
    def go_back(self) -> None:
        """Back to the progress screen, the receipt number still typed; nothing was queued,
        so the pages captured so far go (补交材料 there starts afresh)."""
        self.ctx.supplement_visit = None
        super().go_back()

    def select(self, key: str) -> None:
        self.ctx.flow.touch()
        self.current, self.note, self.phase = key, ("", theme.INK), "scan"
        self.refresh()

    def to_check(self) -> None:
        self.ctx.flow.touch()
        self.phase, self.note = "check", ("", theme.INK)
        self.refresh()
        self.speak(self.check_prompt())

    def to_scan(self) -> None:
        self.phase = "scan"
        self.current = self.visit.first_missing() or self.current
        self.refresh()

    def delete(self, index: int) -> None:
        self.ctx.flow.touch()
        self.visit.delete(self.current or "", index)
        self.refresh()

    def enlarge(self, data: bytes) -> None:
        self.ctx.flow.touch()
        PagePreview(texture_of_file(data, 1100), _("Close")).open(self)

    def update_preview(self, *_a: object) -> None:
        if self.phase != "scan" or self.busy or not hasattr(self, "preview") or self.preview.parent is None:
            return
        frame = self.ctx.devices.camera.preview()
        texture = texture_of(frame) if frame is not None else None
        if texture is not None:
            self.preview.texture = texture

    def capture(self) -> None:
        if self.busy or not self.current:
            return
        key = self.current
        self.scan_capture(key, None, lambda p, e: self.scanned(key, p, e))

    def scanned(self, key: str, page, error) -> None:
        self.ctx.flow.touch()
        if error or page is None:
            self.note = (scan_trouble(error), theme.DANGER)
        elif not page.ok:
            reasons = "\n".join(message for _code, message in page.problems)
            self.note = (reasons or _("Please retake the picture."), theme.DANGER)
        else:
            count = self.visit.add(key, supplement_page(page))
            self.note = (_("Page {n} received.").format(n=count), theme.OK_GREEN)
            self.current = self.visit.first_missing() or key
        self.announce(self.note[0])
        if self.manager is not None and self.manager.current_screen is self:
            self.refresh()

    def confirm(self) -> None:
        if self.busy:
            return
        self.ctx.flow.touch()
        self.show(_("Sending to the queue and printing…"), theme.MUTED)
        self.run_slow(self.visit.confirm, self._confirmed)

    def _confirmed(self, _done, error) -> None:
        if isinstance(error, SupplementRefused):
            self.show(error.message_zh, theme.DANGER)
            return
        if error is not None:  # nothing was queued: confirming again is safe
            self.show(_("The supplement could not be saved: ") + type(error).__name__, theme.DANGER)
            return
        self.phase = "done"
        self.refresh()
        self.speak(self.prompt())

    def reprint(self) -> None:
        """The slip again (the supplement stays queued once, whatever the printer does)."""
        if self.busy:
            return
        self.ctx.flow.touch()
        self.run_slow(self.visit.reprint, lambda _done, _error: self.refresh())
