"""Print the verification QR and code onto a result PDF's first page.

The QR (segno) carries the public ``/verify/<code>`` address; beside it the code in
type for people without a phone. The stamp is drawn by reportlab as vector squares and
merged onto page 1 with pypdf, so the stored result is the stamped document and the
SHA-256 shown on the verification page is that of the very bytes printed. A PDF that
cannot be read or written (encrypted, broken) is refused, never stored unstamped.
"""

from __future__ import annotations

import io

import segno
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from shared_schema.render.fonts import cjk_font

from .errors import WorkspaceError
from .verify_code import display

QR_SIZE = 24 * mm
MARGIN = 8 * mm


def _overlay(width: float, height: float, code: str, url: str) -> bytes:
    qr = segno.make(url, error="m")
    rows = list(qr.matrix)
    module = QR_SIZE / (len(rows) + 8)  # four modules of quiet zone on each side
    left, bottom = width - MARGIN - QR_SIZE, MARGIN + 6 * mm
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(width, height))
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(left, bottom, QR_SIZE, QR_SIZE, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                x = left + (c + 4) * module
                y = bottom + QR_SIZE - (r + 5) * module
                pdf.rect(x, y, module, module, stroke=0, fill=1)
    pdf.setFont(cjk_font(), 7)
    pdf.drawRightString(width - MARGIN, bottom - 3 * mm, f"核验码 {display(code)}")
    pdf.drawRightString(width - MARGIN, bottom - 6 * mm, "扫码核验结果真伪")
    pdf.save()
    return out.getvalue()


def stamp(data: bytes, code: str, url: str) -> bytes:
    """``data`` with the QR for ``url`` and the code printed at page 1's lower right."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise WorkspaceError("result PDF is encrypted", "办理结果 PDF 已加密，请上传未加密的文件")
        writer = PdfWriter(clone_from=reader)
        first = writer.pages[0]
        box = first.mediabox
        overlay = PdfReader(io.BytesIO(_overlay(float(box.width), float(box.height), code, url))).pages[0]
        first.merge_translated_page(overlay, float(box.left), float(box.bottom))
        out = io.BytesIO()
        writer.write(out)
    except (PdfReadError, ValueError, KeyError, IndexError) as exc:
        raise WorkspaceError(
            f"result PDF cannot be stamped: {type(exc).__name__}",
            "办理结果 PDF 无法读取，请检查文件后重新上传",
        ) from exc
    return out.getvalue()
