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

# The type scale: three sizes, four faces. Every (size, bold) pair that is drawn keeps an
# open CJK font face in the app (~2.5 MB each with its glyph cache, measured): ten pairs
# were in use before, now :data:`FACES` only.
TEXT_PX = 28  # body text, regular; nothing smaller is ever shown to a resident
LARGE_PX = 32  # buttons and fields (regular), headings (bold)
TITLE_PX = 44  # screen titles and the numbers a resident checks, always bold
SMALL_PX = TEXT_PX
FACES = frozenset({(TEXT_PX, False), (LARGE_PX, False), (LARGE_PX, True), (TITLE_PX, True)})
BUTTON_H = 88
BUTTON_TEXT_PX = LARGE_PX

WHITE = (1, 1, 1, 1)
INK = (0.07, 0.07, 0.07, 1)
MUTED = (0.25, 0.25, 0.25, 1)
PRIMARY = (0.04, 0.24, 0.57, 1)
SECONDARY = (0.86, 0.88, 0.91, 1)
DANGER = (0.69, 0.0, 0.13, 1)
OK_GREEN = (0.0, 0.42, 0.18, 1)
HEADER_BG = (0.04, 0.17, 0.36, 1)
PANEL = (0.95, 0.96, 0.98, 1)


def face(size: float, bold: bool = False) -> tuple[int, bool]:
    """The face of :data:`FACES` to draw text asked for at ``size`` and ``bold``: the
    largest scale size not above it (at least body size); bold body text becomes a
    heading, and title-size text is bold."""
    px = max((s for s in (TEXT_PX, LARGE_PX, TITLE_PX) if s <= size), default=TEXT_PX)
    if px == TEXT_PX and bold:
        return LARGE_PX, True
    return px, bold or px == TITLE_PX


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
