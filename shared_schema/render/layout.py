"""What every form shares: A4 page, CJK paragraph styles, the materials table, a QR code.

Forms are built from platypus flowables so long material names wrap (``wordWrap="CJK"``)
and a long list flows onto a second page instead of running off the paper.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from ..forms import MaterialRow
from .fonts import cjk_font


def styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    base = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13),
        "cell": ParagraphStyle("cell", parent=base, fontSize=10, leading=14),
        "right": ParagraphStyle("right", parent=base, alignment=2),
    }


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), styles()[style])


def table(
    cells: list[list[object]], widths: Sequence[float], style: list[tuple], repeat_rows: int = 0
) -> Table:
    """A Table in the form's font: each cell sets its style's font, Helvetica (never
    embedded) unless told otherwise, even when it holds only paragraphs."""
    grid = Table(cells, colWidths=list(widths), repeatRows=repeat_rows)
    grid.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), cjk_font(), 10), *style]))
    return grid


def grid_table(rows: list[list[object]], widths: Sequence[float], header: bool = True) -> Table:
    """A bordered table; cell strings become wrapping CJK paragraphs."""
    cells = [[para(c, "cell") if isinstance(c, str) else c for c in row] for row in rows]
    style: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)))
    return table(cells, widths, style, repeat_rows=1 if header else 0)


def materials_table(materials: list[MaterialRow], min_rows: int = 8) -> Table:
    """序号 材料名称 数量 页数 备注, padded with blank numbered rows like the standard's form."""
    rows: list[list[object]] = [["序号", "材料名称", "数量", "页数", "备注"]]
    for row in materials:
        rows.append([str(row.index), row.name, str(row.count), str(row.pages), row.note])
    for index in range(len(materials) + 1, min_rows + 1):
        rows.append([str(index), "", "", "", ""])
    return grid_table(rows, [14 * mm, 80 * mm, 18 * mm, 18 * mm, 40 * mm])


class QrCode(Flowable):
    """A vector QR code (segno's matrix drawn as squares: crisp at any printer resolution)."""

    def __init__(self, payload: str, size: float = 28 * mm) -> None:
        super().__init__()
        self.payload = payload
        self.size = size
        self.matrix = segno.make(payload, error="m", micro=False).matrix

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        n = len(self.matrix) + 8  # 4-module quiet zone each side
        module = self.size / n
        self.canv.setFillColor(colors.black)
        for y, line in enumerate(self.matrix):
            for x, dark in enumerate(line):
                if dark:
                    self.canv.rect(
                        (x + 4) * module, self.size - (y + 5) * module, module, module, stroke=0, fill=1
                    )


def build_pdf(story: list[Flowable], title: str) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="tongban",
        creator="tongban",
        initialFontName=cjk_font(),  # not Helvetica: no font in the PDF goes unembedded
    )
    doc.build(story)
    return buf.getvalue()
