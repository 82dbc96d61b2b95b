"""申请材料转办单 (附录 B) as a PDF: travels with the materials to the department.

Layout follows table B.1: the materials table, then the applicant's promise and contact
block (郑重承诺 … 申请人(签名或盖章) / 法定代表人(签名) / 联系电话 / 收件地址), then the
receiving unit with its seal space and date; where the guide wants originals by post, a
原件寄送 row names them and the station's mail tracking number.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from ..forms import OriginalsMailed, TransferSlip
from .layout import build_pdf, grid_table, materials_table, para
from .receipt_notice import chinese_date


def render_transfer_slip(slip: TransferSlip) -> bytes:
    promise = [
        para("郑重承诺："),
        para("　　" + slip.promise_text),
        para(f"申请人(签名或盖章)：{slip.applicant_signature}"),
        para(f"法定代表人(签名)：{slip.legal_representative}"),
    ]
    rows = [
        ["申请人承诺和联系方式", promise],
        ["", f"联系电话：{slip.contact_phone}"],
        ["", f"收件地址：{slip.address}"],
        ["接件单位", [para(slip.receiving_unit), para("（章）"), para(chinese_date(slip.received_on))]],
    ]
    if slip.originals_mailed is not None:
        rows.append(["原件寄送", [para(line) for line in originals_lines(slip.originals_mailed)]])
    block = grid_table(
        rows,
        [34 * mm, 136 * mm],
        header=False,
    )
    block.setStyle([("SPAN", (0, 0), (0, 2))])
    story = [
        para("申请材料转办单", "title"),
        Spacer(1, 2 * mm),
        para(
            f"编号：{slip.receipt_no}　　事项：{slip.matter_name}　　办理单位：{slip.department_name}",
            "small",
        ),
        Spacer(1, 3 * mm),
        materials_table(slip.materials),
        block,
    ]
    return build_pdf(story, f"申请材料转办单 {slip.receipt_no}")


def originals_lines(mailed: OriginalsMailed) -> list[str]:
    """What the slip says about the originals travelling with it (the tracking number once
    the station entered it at the kiosk)."""
    first = "随本单寄送原件：" + "、".join(mailed.materials)
    if not mailed.tracking_no:
        return [first, "快递单号：（服务站寄出时登记）"]
    sent = f"　寄出日期：{chinese_date(mailed.mailed_on)}" if mailed.mailed_on else ""
    return [first, f"快递单号：{mailed.tracking_no}{sent}"]
