"""The one-time correction notice (一次性告知, 8.2.1) as a PDF.

Lists *everything* missing or wrong at once, so the resident comes back one time with
all of it. Printed by the kiosk after its formal check, and by department staff when
they ask for correction; it is never a decision to accept or reject.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from ..forms import CorrectionNotice
from .layout import build_pdf, grid_table, para
from .receipt_notice import chinese_date, issued_by

NOT_A_DECISION = "本告知为申请材料的形式检查结果，不是受理或不予受理的决定。"


def correction_lines(notice: CorrectionNotice) -> list[str]:
    lines = ["申请材料补正告知书（一次性告知）", f"{notice.applicant_name or '申请人'}："]
    lines.append(f"你申请办理的{notice.matter_name}，经核对，还需补正以下全部内容：")
    lines += [f"{i}. {issue.message}" for i, issue in enumerate(notice.issues, start=1)]
    lines += [f"单位：{notice.unit}", chinese_date(notice.issued_on), NOT_A_DECISION]
    return lines


def render_correction_notice(notice: CorrectionNotice) -> bytes:
    rows: list[list[object]] = [["序号", "需补正的内容"]]
    rows += [[str(i), issue.message] for i, issue in enumerate(notice.issues, start=1)]
    story = [
        para("申请材料补正告知书", "title"),
        para("（一次性告知）", "title"),
        Spacer(1, 4 * mm),
        para(f"{notice.applicant_name or '申请人'}："),
        para(
            f"　　你申请办理的{notice.matter_name}，经核对申请材料，"
            "还需补正以下全部内容，请一次备齐后再次提交："
        ),
        Spacer(1, 2 * mm),
        grid_table(rows, [16 * mm, 154 * mm]),
        Spacer(1, 4 * mm),
        *[para(line) for line in notice.extra],
    ]
    if notice.consultation_phone:
        story.append(para(f"咨询电话：{notice.consultation_phone}"))
    story += [
        Spacer(1, 6 * mm),
        *issued_by(notice.unit, notice.issued_on),
        Spacer(1, 4 * mm),
        para(NOT_A_DECISION, "small"),
    ]
    return build_pdf(story, f"补正告知 {notice.matter_name}")
