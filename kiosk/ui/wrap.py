"""Line breaking for Chinese text, done here rather than by Kivy.

Kivy breaks lines at spaces only; a run of Chinese longer than a line is split by
measuring ever shorter pieces through SDL_ttf, thousands of calls for a guide screen
(0.6 s of its first frame, measured). Chinese may break between any two characters, and
every full-width glyph of the CJK font is one em wide, so the lines are laid out here
from cached character widths and handed to Kivy with explicit line breaks. Runs of
Latin letters and digits stay whole ("2014", "ylbx") unless a run alone is too wide.
"""

from __future__ import annotations

import re
from functools import lru_cache

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
FULL_WIDTH = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff01-\uff60\uffe0-\uffe6]")
TOKENS = re.compile(r"[A-Za-z0-9._%+\-/:@]+| +|.", re.S)
# never at the start of a line (Chinese typesetting): the character before comes down with it
NO_LINE_START = frozenset("，。、；：？！）》」』”’〉】…,.;:?!)")
NO_LINE_END = frozenset("（《「『“‘〈【(")  # never at the end of one: it goes down too


def has_cjk(text: str) -> bool:
    return CJK.search(text) is not None


@lru_cache(maxsize=4096)
def _measured(ch: str, font_name: str, size: int, bold: bool) -> float:
    from kivy.core.text import Label as CoreLabel

    return float(CoreLabel(font_name=font_name, font_size=size, bold=bold).get_extents(ch)[0])


def char_width(ch: str, font_name: str, size: int, bold: bool = False) -> float:
    if FULL_WIDTH.match(ch):
        return float(size)  # one em: every CJK ideograph and full-width sign
    return _measured(ch, font_name, size, bold)


def _kinsoku(line: str, token: str) -> tuple[str, str]:
    """Where to break before ``token``: (what stays, what goes down to the next line)."""
    cut = len(line)
    if token in NO_LINE_START:
        cut -= 1
        while cut > 0 and line[cut] in NO_LINE_START:
            cut -= 1
    while cut > 0 and line[cut - 1] in NO_LINE_END:
        cut -= 1
    if cut <= 0 or line[cut:].isspace() or " " in line[cut:]:
        return line, ""  # nothing sensible to carry: break where the line is full
    return line[:cut], line[cut:]


def wrap(text: str, width: float, font_name: str, size: int, bold: bool = False) -> str:
    """``text`` with line breaks so that no line is wider than ``width`` pixels."""
    if width <= size:
        return text
    out: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for token in TOKENS.findall(paragraph):
            w = sum(char_width(c, font_name, size, bold) for c in token)
            if used + w > width and line:
                line, carry = _kinsoku(line, token)
                out.append(line.rstrip(" "))
                line, used = carry, sum(char_width(c, font_name, size, bold) for c in carry)
                if token.isspace():
                    continue  # no spaces at the start of a line
            if w > width:  # a run wider than the line: split it between characters
                for c in token:
                    cw = char_width(c, font_name, size, bold)
                    if used + cw > width and line:
                        out.append(line)
                        line, used = "", 0.0
                    line, used = line + c, used + cw
                continue
            line, used = line + token, used + w
        out.append(line.rstrip(" "))
    return "\n".join(out)
