"""Look and accessibility: one CJK font, large text, big touch targets, high contrast.

Residents are often elderly and have never used a touch screen: body text is at least
28 px, every button at least 80 px high, dark text on white (contrast ratio > 15:1),
primary actions in deep blue with white text, warnings in dark red.

The accessibility mode (大字·朗读, one tap in the header of every screen) switches to a
larger type scale and a higher-contrast palette (:func:`set_accessible`); screens read
the module's values when they build, so the next refresh shows the change.
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
SCALE = (TEXT_PX, LARGE_PX, TITLE_PX)
# the accessibility mode's scale: each step about a quarter larger (its faces are opened
# only while the mode is on, and closed when it ends: ``ui/faces.py``)
ACCESSIBLE_SCALE = (36, 40, 52)
NORMAL_FACES = frozenset({(TEXT_PX, False), (LARGE_PX, False), (LARGE_PX, True), (TITLE_PX, True)})
ACCESSIBLE_FACES = frozenset({(36, False), (40, False), (40, True), (52, True)})
FACES = NORMAL_FACES | ACCESSIBLE_FACES
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
NORMAL_PALETTE = {"INK": INK, "MUTED": MUTED, "PRIMARY": PRIMARY, "SECONDARY": SECONDARY}
# higher contrast: black text, secondary buttons in yellow with black text (~15:1 instead
# of ~13:1 on pale grey, and clearly a button even for weak eyes), a darker blue
ACCESSIBLE_PALETTE = {
    "INK": (0, 0, 0, 1),
    "MUTED": (0.12, 0.12, 0.12, 1),
    "PRIMARY": (0.0, 0.16, 0.45, 1),
    "SECONDARY": (1.0, 0.84, 0.1, 1),
}
accessible = False
IDLE_FACTOR = 3  # the accessibility mode waits three times longer before wiping a visit


def set_accessible(on: bool) -> None:
    """Switch the type scale and palette (widgets built afterwards use them)."""
    global accessible, INK, MUTED, PRIMARY, SECONDARY
    accessible = on
    palette = ACCESSIBLE_PALETTE if on else NORMAL_PALETTE
    INK, MUTED, PRIMARY, SECONDARY = (palette[k] for k in ("INK", "MUTED", "PRIMARY", "SECONDARY"))


def faces_in_use() -> frozenset[tuple[int, bool]]:
    """The faces the current mode draws with (the app closes the others: ``ui/faces.py``);
    the header keeps the normal scale in both modes."""
    return FACES if accessible else NORMAL_FACES


def button_px() -> int:
    """Button text size in the current mode."""
    return face(BUTTON_TEXT_PX)[0]


def face(size: float, bold: bool = False) -> tuple[int, bool]:
    """The face of :data:`FACES` to draw text asked for at ``size`` and ``bold``: the
    largest scale size not above it (at least body size); bold body text becomes a
    heading, and title-size text is bold. In the accessibility mode the same step of
    the larger scale."""
    step = max((i for i, s in enumerate(SCALE) if s <= size), default=0)
    if step == 0 and bold:
        step = 1
    scale = ACCESSIBLE_SCALE if accessible else SCALE
    return scale[step], bold or step == 2


def cjk_font() -> tuple[str, str]:
    """The first CJK font installed: (regular, bold) files (bold is the regular file when
    the font has no bold). Collections are drawn at their Simplified Chinese face
    (``ui/font_names.py``), by Kivy's labels (``ui/faces.py``) and by Pillow (``ui/icons.py``)."""
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).exists():
            return regular, bold if bold and Path(bold).exists() else regular
    raise RuntimeError("no CJK font found: install fonts-noto-cjk")


def register_font() -> str:
    """Register the CJK font; Kivy then renders Chinese instead of boxes."""
    from kivy.core.text import LabelBase

    regular, bold = cjk_font()
    LabelBase.register(name=FONT_NAME, fn_regular=regular, fn_bold=bold)
    return regular
