"""The feedback slip (意见建议凭条) a kiosk prints on request: the feedback number, large, and
where to read the answer. Nothing of what the resident wrote is on it (the slip may be lost).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from ..feedback_no import display
from .layout import build_pdf, para
from .receipt_notice import chinese_date, issued_by

HOW = "查看答复：在任一台自助终端首页点“查询进度 / 领取结果”，输入意见编号（YJ 后面的全部数字）。"


@dataclass(frozen=True)
class FeedbackSlip:
    feedback_no: str
    matter_name: str
    unit: str
    left_on: date


def feedback_slip_lines(slip: FeedbackSlip) -> list[str]:
    return [
        "意见建议凭条",
        f"意见编号：{display(slip.feedback_no)}",
        f"事项：{slip.matter_name}",
        HOW,
        f"单位：{slip.unit}",
        chinese_date(slip.left_on),
    ]


def render_feedback_slip(slip: FeedbackSlip) -> bytes:
    story = [
        para("意见建议凭条", "title"),
        Spacer(1, 4 * mm),
        para(f"意见编号：{display(slip.feedback_no)}", "title"),
        para(f"事项：{slip.matter_name}"),
        Spacer(1, 2 * mm),
        para(HOW),
        Spacer(1, 6 * mm),
        *issued_by(slip.unit, slip.left_on),
    ]
    return build_pdf(story, f"意见建议凭条 {slip.feedback_no}")
