"""The CJK font every form uses, embedded (as a subset) in every PDF.

A PDF that only names a font (the Adobe CID font ``STSong-Light``, say) depends on the
printer's or viewer's font packs: poppler without ``poppler-data``, as a print filter on
a bare kiosk may be, draws the receipt's lines and QR code and none of its text. So the
forms embed a subset of a TrueType CJK font. ReportLab embeds TrueType (glyf) outlines
only: Noto Sans CJK (``fonts-noto-cjk``) is CFF and refused, AR PL UMing
(``fonts-arphic-uming``) and WenQuanYi Zen Hei (``fonts-wqy-zenhei``) are TrueType.
Without one of them (or another TrueType Chinese font fontconfig knows) rendering fails
loudly, naming the package; it never falls back to a font that is not embedded.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

FONT_NAME = "tongban-cjk"
DEBIAN_PACKAGE = "fonts-arphic-uming"
# (file, face index in a .ttc) where Debian puts the TrueType CJK fonts, preferred first:
# a Song (Ming) face like the standard's printed forms, which Tesseract also reads back
# reliably at every size the forms use (Zen Hei's 18 pt titles it misreads at 150 dpi).
KNOWN_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # fonts-arphic-uming: AR PL UMing CN
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei: WenQuanYi Zen Hei
)
# Every form prints digits, Latin letters and full-width punctuation beside the Chinese
# (DroidSansFallback, a TrueType CJK font too, lacks the digits).
PROBE = "0123456789ABCXYZabcxyz申请材料接收通知书补正告知转办单审批流程登记卡办事指南日内转报（）：，。"


class FontMissing(RuntimeError):
    """No embeddable CJK font is installed; the message names the Debian package."""


def _load(path: str, index: int) -> TTFont | str:
    """The font, or why it cannot print the forms."""
    try:
        font = TTFont(FONT_NAME, path, subfontIndex=index)
    except Exception as exc:  # reportlab raises TTFError, OSError and plain errors alike
        return f"{path}#{index}: {exc}"
    lacking = [ch for ch in PROBE if ord(ch) not in font.face.charToGlyph]
    return f"{path}#{index}: no glyph for {''.join(lacking)!r}" if lacking else font


def fontconfig_fonts() -> list[tuple[str, int]]:
    """TrueType fonts fontconfig knows for Simplified Chinese (files outside Debian's paths)."""
    try:
        done = subprocess.run(
            ["fc-list", "--format", "%{file}\t%{index}\n", ":lang=zh-cn:fontformat=TrueType"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except FileNotFoundError:
        return []  # no fontconfig at all: only the known paths count
    found = {
        (file, int(index or 0))
        for file, _, index in (line.partition("\t") for line in done.stdout.splitlines())
    }
    return sorted(found)


def find_cjk_font(known: Sequence[tuple[str, int]] = KNOWN_FONTS) -> TTFont:
    """The first usable font of ``known``, else of fontconfig's list; FontMissing otherwise."""
    tried: list[str] = []
    candidates = [(p, i) for p, i in known if Path(p).is_file()]
    for path, index in [*candidates, *(c for c in fontconfig_fonts() if c not in candidates)]:
        font = _load(path, index)
        if isinstance(font, TTFont):
            return font
        tried.append(font)
    raise FontMissing(
        f"no embeddable TrueType CJK font for the PDF forms: install the Debian package "
        f"{DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE})"
        + (f"; unusable: {'; '.join(tried)}" if tried else "")
    )


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register (once) and return the name of the font every form uses."""
    font = find_cjk_font()
    pdfmetrics.registerFont(font)
    log.info("PDF forms embed %s (%s)", font.face.name.decode("ascii", "replace"), font.face.filename)
    return FONT_NAME
