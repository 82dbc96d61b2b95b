"""The supplement receipt (补正材料接收凭证) the kiosk prints when a resident hands in 补正.

It names the case's own receipt number (a supplement never gets a new one), every
notice item with the pages received for it, and says the department's acceptance clock
restarts when the supplement arrives (行政许可法 第三十二条).
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from ..supplement import SupplementReceipt
from .layout import build_pdf, grid_table, para
from .receipt_notice import chinese_date, issued_by

CLOCK = "补正材料送达办理部门后，部门自收到全部补正材料之日起重新计算受理期限。"


def supplement_lines(receipt: SupplementReceipt) -> list[str]:
    lines = ["补正材料接收凭证", f"受理编号：{receipt.receipt_no}"]
    lines += [f"{i}. {text}（{pages} 页）" for i, (text, pages) in enumerate(receipt.items, start=1)]
    lines += [
        f"凭证号：{receipt.supplement_id}",
        f"单位：{receipt.unit}",
        chinese_date(receipt.received_on),
        CLOCK,
    ]
    return lines


def render_supplement_receipt(receipt: SupplementReceipt) -> bytes:
    rows: list[list[object]] = [["序号", "补正的内容", "页数"]]
    rows += [[str(i), text, str(pages)] for i, (text, pages) in enumerate(receipt.items, start=1)]
    story = [
        para("补正材料接收凭证", "title"),
        Spacer(1, 4 * mm),
        para(f"受理编号：{receipt.receipt_no}（与原申请相同，请妥善保存）"),
        para(f"凭证号：{receipt.supplement_id}"),
        Spacer(1, 2 * mm),
        grid_table(rows, [16 * mm, 130 * mm, 24 * mm]),
        Spacer(1, 4 * mm),
        para(CLOCK),
        Spacer(1, 6 * mm),
        *issued_by(receipt.unit, receipt.received_on),
    ]
    return build_pdf(story, f"补正材料接收凭证 {receipt.receipt_no}")
