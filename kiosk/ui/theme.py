"""Look and accessibility: one CJK font, large text, big touch targets, high contrast.

Residents are often elderly and have never used a touch screen: body text is at least
28 px, every button at least 80 px high, dark text on white (contrast ratio > 15:1),
primary actions in deep blue with white text, warnings in dark red.
"""

from __future__ import annotations

from pathlib import Path

FONT_NAME = "cjk"
FONT_CANDIDATES = [
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None),
]

TEXT_PX = 28
SMALL_PX = 28  # nothing smaller than this is ever shown to a resident
TITLE_PX = 40
BUTTON_H = 88
BUTTON_TEXT_PX = 30

WHITE = (1, 1, 1, 1)
INK = (0.07, 0.07, 0.07, 1)
MUTED = (0.25, 0.25, 0.25, 1)
PRIMARY = (0.04, 0.24, 0.57, 1)
SECONDARY = (0.86, 0.88, 0.91, 1)
DANGER = (0.69, 0.0, 0.13, 1)
OK_GREEN = (0.0, 0.42, 0.18, 1)
HEADER_BG = (0.04, 0.17, 0.36, 1)
PANEL = (0.95, 0.96, 0.98, 1)


def register_font() -> str:
    """Register the first CJK font found; Kivy then renders Chinese instead of boxes."""
    from kivy.core.text import LabelBase

    for regular, bold in FONT_CANDIDATES:
        if Path(regular).exists():
            LabelBase.register(
                name=FONT_NAME, fn_regular=regular, fn_bold=bold if bold and Path(bold).exists() else regular
            )
            return regular
    raise RuntimeError("no CJK font found: install fonts-noto-cjk")
