"""申请材料接收通知书 (附录 A) as a PDF: what the resident takes home from the kiosk.

Faithful to the standard's table A.1 (addressee, the "在 2 日内转报" statement, the
materials table 序号/材料名称/数量/页数/备注, contact, address, unit, date) plus the
number and a QR code of it for status queries. It certifies that materials were
*received* (接收/代收); it never says the matter was accepted (受理).
"""

from __future__ import annotations

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from ..forms import ReceiptNotice
from .layout import QrCode, build_pdf, materials_table, para, table

NOT_ACCEPTANCE = "本通知书仅证明申请材料已接收，不代表事项已受理；是否受理由事项办理单位依法决定并告知。"
QUERY_HINT = "凭本编号或扫描二维码，可在任一村级服务站自助终端查询办理进度。"


def chinese_date(day: date) -> str:
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def issued_by(unit: str, day: date) -> list[Paragraph]:
    """The closing lines every form and slip carries: the issuing unit and the date."""
    return [para(f"单位：{unit}", "right"), para(chinese_date(day), "right")]


def receipt_lines(notice: ReceiptNotice) -> list[str]:
    """The same notice as plain lines, for thermal printers and for the screen."""
    lines = [
        "申请材料接收通知书",
        f"编号：{notice.receipt_no}",
        f"{notice.applicant_name}：",
        notice.statement(),
        "你的申请材料：",
    ]
    lines += [f"{r.index}. {r.name} 数量{r.count} 页数{r.pages} {r.note}".rstrip() for r in notice.materials]
    lines += [
        f"你的联系方式：{notice.contact_phone}",
        f"你的通讯地址：{notice.address}",
        f"单位：{notice.unit}",
        chinese_date(notice.issued_on),
        NOT_ACCEPTANCE,
    ]
    return lines


def render_receipt_notice(notice: ReceiptNotice) -> bytes:
    head = table(
        [[para(f"编号：{notice.receipt_no}", "small"), QrCode(notice.receipt_no, 26 * mm)]],
        [120 * mm, 50 * mm],
        [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("ALIGN", (1, 0), (1, 0), "RIGHT")],
    )
    story = [
        para("申请材料接收通知书", "title"),
        Spacer(1, 2 * mm),
        head,
        Spacer(1, 4 * mm),
        para(f"{notice.applicant_name}："),
        para("　　" + notice.statement()),
        Spacer(1, 2 * mm),
        para("你的申请材料："),
        materials_table(notice.materials),
        Spacer(1, 4 * mm),
        para(f"你的联系方式：{notice.contact_phone}"),
        para(f"你的通讯地址：{notice.address or '（到站自取）'}"),
        Spacer(1, 6 * mm),
        *issued_by(notice.unit, notice.issued_on),
        Spacer(1, 6 * mm),
        para(NOT_ACCEPTANCE, "small"),
        para(QUERY_HINT, "small"),
    ]
    return build_pdf(story, f"申请材料接收通知书 {notice.receipt_no}")
