"""A CJK font for reportlab, found without a download.

ReportLab embeds TrueType (glyf) fonts only; Noto Sans CJK from fonts-noto-cjk ships as
CFF-based OTF/TTC, which ``TTFont`` refuses ("postscript outlines are not supported").
So the default is ReportLab's built-in Adobe CID font ``STSong-Light`` (UniGB-UCS2-H):
no file needed, every GB character available, text extractable from the PDF, and
viewers and CUPS filters substitute an installed Chinese font (Noto CJK here). A site
that must embed its font sets ``TONGBAN_PDF_FONT`` to a TrueType file; it is used only
when it really covers Chinese and ASCII (DroidSansFallback, for one, lacks digits).
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

CID_FONT = "STSong-Light"
ENV_FONT = "TONGBAN_PDF_FONT"
_PROBE = "0123456789ABCXYZabc申请材料接收通知书日内转报"


def _ttf_covers(font: TTFont, text: str) -> bool:
    cmap = font.face.charToGlyph
    return all(ord(ch) in cmap for ch in text)


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register (once) and return the name of the font every form uses."""
    path = os.environ.get(ENV_FONT)
    if path:
        try:
            font = TTFont("tongban-cjk", path)
            if _ttf_covers(font, _PROBE):
                pdfmetrics.registerFont(font)
                return "tongban-cjk"
            log.warning("%s=%s lacks CJK or ASCII glyphs; using %s", ENV_FONT, path, CID_FONT)
        except Exception as exc:  # reportlab raises TTFError and plain errors alike
            log.warning("%s=%s not usable (%s); using %s", ENV_FONT, path, exc, CID_FONT)
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT
