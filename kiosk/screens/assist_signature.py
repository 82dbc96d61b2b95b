"""签收 in the assist panel: a tab beside the typing pads where the recipient may sign
with a finger (optional, issue 11 §3); the hand-over carries what was written.

A tab rather than a screen of its own, so the typed hand-over fields stay as they are
while the recipient signs; the pad keeps its strokes when staff switch tabs.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from shared_schema.signature import Signature

from ..i18n import _
from ..ui.signature_pad import SignaturePad
from ..ui.widgets import BigButton, Text

PAD_HEIGHT = 360


class SignatureTab:
    def __init__(self) -> None:
        self.pad = SignaturePad(size_hint_y=None, height=PAD_HEIGHT)
        self.box = BoxLayout(orientation="vertical", spacing=8, size_hint_y=None, height=PAD_HEIGHT + 160)
        self.box.add_widget(Text(_("The recipient may sign in the box (optional).")))
        self.box.add_widget(self.pad)
        self.box.add_widget(BigButton(_("Clear the signature"), self.pad.clear, kind="secondary"))

    def tab(self) -> tuple[str, Callable[[], Widget]]:
        return _("Signature"), self.widget

    def widget(self) -> Widget:
        if self.box.parent is not None:  # the switcher shows it again: same pad, same strokes
            self.box.parent.remove_widget(self.box)
        return self.box

    def signature(self) -> Signature | None:
        return self.pad.signature()
