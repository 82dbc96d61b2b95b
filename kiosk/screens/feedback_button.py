"""The 意见建议 button the guide and rating screens show: large, plainly worded, at the
foot of the screen beside whatever message the screen keeps there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from ..i18n import _
from ..ui import theme
from ..ui.widgets import BigButton, row
from ..visit.steps import Step

if TYPE_CHECKING:
    from ..context import KioskContext

WIDTH = 340


def feedback_row(ctx: KioskContext, beside: Widget | None = None) -> BoxLayout:
    """``beside`` (a message) to the left, the button to the right; no button where the
    kiosk has no feedback desk (no store: a kiosk under test without one)."""
    left = beside if beside is not None else Widget()
    if ctx.feedback is None:
        return row(left)
    button = BigButton(
        _("Feedback"),
        lambda: ctx.flow.go(Step.feedback),
        kind="secondary",
        size_hint_x=None,
        width=WIDTH,
    )
    return row(left, button, height=theme.BUTTON_H)
