"""Drawing primitives for synthetic documents that record what they draw.

Every string drawn with ``record=True`` is appended to the sheet's ground truth in
reading order (top to bottom, a table row left to right), so OCR output can be scored
against exactly what is on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

DPI = 200
NOTO = Path("/usr/share/fonts/opentype/noto")


@dataclass(frozen=True)
class FontFace:
    """One CJK face; ``index`` picks the Simplified Chinese member of a .ttc collection."""

    name: str
    path: str
    index: int = 0


FACES = [
    FontFace("Noto Sans CJK SC", str(NOTO / "NotoSansCJK-Regular.ttc"), 2),
    FontFace("Noto Serif CJK SC", str(NOTO / "NotoSerifCJK-Regular.ttc"), 2),
    FontFace("Noto Sans CJK SC Bold", str(NOTO / "NotoSansCJK-Bold.ttc"), 2),
]
MONO = FontFace("Noto Sans Mono CJK SC", str(NOTO / "NotoSansCJK-Regular.ttc"), 7)
BOLD = FACES[2]
ARPHIC, WQY = Path("/usr/share/fonts/truetype/arphic"), Path("/usr/share/fonts/truetype/wqy")
# More faces for the hard set (issue 13): a kaiti and a hei that the tests use too …
EXTRA_FACES = [
    FontFace("AR PL UKai CN", str(ARPHIC / "ukai.ttc"), 0),  # kaiti (fonts-arphic-ukai)
    FontFace("WenQuanYi Micro Hei", str(WQY / "wqy-microhei.ttc"), 0),  # fonts-wqy-microhei
]
# … and a ming and a hei that only the benchmark uses: faces the tests have never seen
HELD_OUT_FACES = [
    FontFace("AR PL UMing CN", str(ARPHIC / "uming.ttc"), 0),  # ming (fonts-arphic-uming)
    FontFace("WenQuanYi Zen Hei", str(WQY / "wqy-zenhei.ttc"), 0),  # fonts-wqy-zenhei
]


def available_faces(faces: list[FontFace] | None = None) -> list[FontFace]:
    """The faces of ``faces`` (default: the Noto sans, serif and bold) that are installed.
    Droid Sans Fallback is left out: it has no Latin digits. A requested face that is not
    installed is an error, not a quiet swap for another one."""
    if faces is None:
        return [f for f in FACES if Path(f.path).exists()]
    missing = [f.name for f in faces if not Path(f.path).exists()]
    if missing:
        names = ", ".join(missing)
        raise FileNotFoundError(f"fonts not installed: {names} (see APT_PACKAGES in the Makefile)")
    return list(faces)


@lru_cache(maxsize=64)
def font(face: FontFace, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(face.path, px, index=face.index)


def pt(points: float) -> int:
    """Font size in pixels at the sheet resolution."""
    return round(points * DPI / 72)


def mm(millimetres: float) -> int:
    return round(millimetres * DPI / 25.4)


class Sheet:
    """A page being drawn, with its ground-truth lines."""

    def __init__(
        self, width_mm: float, height_mm: float, face: FontFace, paper=(255, 255, 255),
        faces: list[FontFace] | None = None,
    ):  # fmt: skip
        self.faces = faces or available_faces()  # the pool a document picks its value faces from
        self.image = Image.new("RGB", (mm(width_mm), mm(height_mm)), paper)
        self.draw = ImageDraw.Draw(self.image)
        self.face = face
        self.lines: list[str] = []
        self.boxes: list[tuple[str, tuple[int, int, int, int]]] = []  # every string drawn, with its box

    @property
    def width(self) -> int:
        return self.image.width

    def text(
        self,
        x: float,
        y: float,
        s: str,
        px: int,
        face: FontFace | None = None,
        fill=(20, 20, 20),
        record: bool = True,
        anchor: str = "la",
    ) -> int:
        """Draw one line; returns its width in pixels."""
        f = font(face or self.face, px)
        self.draw.text((x, y), s, font=f, fill=fill, anchor=anchor)
        self.boxes.append((s, tuple(int(v) for v in self.draw.textbbox((x, y), s, font=f, anchor=anchor))))
        if record and s.strip():
            self.lines.append(s)
        return int(f.getlength(s))

    def centred(self, y: float, s: str, px: int, face: FontFace | None = None, **kw) -> None:
        self.text(self.width / 2, y, s, px, face, anchor="ma", **kw)

    def paragraph(self, x: float, y: float, width: float, s: str, px: int, gap: float = 1.6) -> float:
        """Wrap ``s`` into lines no wider than ``width``; returns the y below the text."""
        f = font(self.face, px)
        line = ""
        for ch in s:
            if f.getlength(line + ch) > width and line:
                self.text(x, y, line, px)
                y += px * gap
                line = ""
            line += ch
        if line:
            self.text(x, y, line, px)
            y += px * gap
        return y

    def table(
        self,
        x: float,
        y: float,
        widths_mm: list[float],
        rows: list[list[str]],
        row_mm: float,
        px: int,
        value_face: FontFace | None = None,
        label_cols: tuple[int, ...] = (),
    ) -> float:
        """A ruled table; cells are left-padded and vertically centred. Returns bottom y.

        A row is recorded as one ground-truth line (its non-empty cells joined by spaces),
        which is the order a row-wise reader meets them.
        """
        widths = [mm(w) for w in widths_mm]
        h = mm(row_mm)
        total = sum(widths)
        for r, row in enumerate(rows):
            top = y + r * h
            self.draw.line([(x, top), (x + total, top)], fill=(0, 0, 0), width=2)
            cx = x
            for c, cell in enumerate(row):
                face = self.face if (c in label_cols or value_face is None) else value_face
                if cell:
                    self.text(cx + mm(1.5), top + h / 2, cell, px, face, record=False, anchor="lm")
                cx += widths[c]
            cells = [cell for cell in row if cell]
            if cells:
                self.lines.append(" ".join(cells))
        bottom = y + len(rows) * h
        self.draw.line([(x, bottom), (x + total, bottom)], fill=(0, 0, 0), width=2)
        cx = x
        for w in [0, *widths]:
            cx += w
            self.draw.line([(cx, y), (cx, bottom)], fill=(0, 0, 0), width=2)
        return bottom

    def paste_gray(self, array: np.ndarray, x: int, y: int) -> None:
        self.image.paste(Image.fromarray(array).convert("RGB"), (x, y))

    def box_of(self, s: str) -> tuple[int, int, int, int] | None:
        """Where the string ``s`` was first drawn (x0, y0, x1, y1)."""
        return next((box for text, box in self.boxes if text == s), None)

    def to_bgr(self) -> np.ndarray:
        return np.ascontiguousarray(np.asarray(self.image)[:, :, ::-1])
