"""审批流程登记卡 (附录 D) as a PDF, laid out like table D.1.

Head rows (申请事项, 申请人姓名, 联系人 / 联系电话, 受理编号 / 承诺时限, 受理时间), then
the four stages 收件/流转/办理/送达 and the special stages 勘验/评审/整改, each with
接件时间, 办结时间, 办理意见 and 责任人, then the recipient's 签收 signature when they signed
on the kiosk's touch screen (an image), then the standard's note. The card is filled from
recorded events by the server; nothing on it is typed by hand.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, Spacer

from ..enums import SpecialStage, Stage
from ..forms import FlowCard
from ..signature import Signature, signature_png
from .layout import build_pdf, grid_table, para

CHINA = timezone(timedelta(hours=8))
NOTE = "备注：此表与其它审批文书及申请材料一起存档。特殊环节不计入承诺时限。"
STAGE_NAMES = {Stage.collect: "收件", Stage.transfer: "流转", Stage.process: "办理", Stage.deliver: "送达"}
SPECIAL_NAMES = {
    SpecialStage.inspection: "勘验",
    SpecialStage.review: "评审",
    SpecialStage.rectification: "整改",
}
SIGNATURE_WIDTH = 60 * mm
WIDTHS = [12 * mm, 22 * mm, 32 * mm, 32 * mm, 48 * mm, 28 * mm]


def when(moment: datetime | None) -> str:
    """China time to the minute, as the card is read in China."""
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if moment else ""


def flow_card_rows(card: FlowCard) -> list[list[str]]:
    """The table as text rows (six columns); the PDF and the tests read the same rows."""
    promised = f"{card.promised_days} 个工作日" if card.promised_days else "即办件（当日办结）"
    rows = [
        ["申请事项", card.matter_name, "", "", "", ""],
        ["申请人姓名", card.applicant_name, "", "", "", ""],
        ["联系人", card.contact_name, "", "", "联系电话", card.contact_phone],
        ["受理编号", card.receipt_no, "", "", "承诺时限", promised],
        ["受理时间", when(card.accepted_at), "", "", "", ""],
        ["办理环节", "", "接件时间", "办结时间", "办理意见", "责任人"],
    ]
    for i, stage in enumerate(card.stages, start=1):
        rows.append(
            [str(i), STAGE_NAMES[stage.stage], when(stage.received_at), when(stage.finished_at),
             stage.opinion, stage.responsible]
        )  # fmt: skip
    rows.append(["特殊环节", "", "", "", "", ""])
    for i, kind in enumerate(SpecialStage, start=1):
        spans = [s for s in card.special_stages if s.kind is kind] or [None]
        for span in spans:
            rows.append(
                [str(i), SPECIAL_NAMES[kind], when(span.started_at) if span else "",
                 when(span.ended_at) if span else "", span.reason if span else "",
                 span.responsible if span else ""]
            )  # fmt: skip
    return rows


def render_flow_card(card: FlowCard) -> bytes:
    rows = flow_card_rows(card)
    table = grid_table([list(r) for r in rows], WIDTHS, header=False)
    spans = [
        ("SPAN", (1, 0), (5, 0)),
        ("SPAN", (1, 1), (5, 1)),
        ("SPAN", (1, 2), (3, 2)),
        ("SPAN", (1, 3), (3, 3)),
        ("SPAN", (1, 4), (5, 4)),
        ("SPAN", (0, 5), (1, 5)),
    ]
    special_row = 6 + len(card.stages)
    spans.append(("SPAN", (0, special_row), (5, special_row)))
    table.setStyle(spans)
    story = [
        para("审批流程登记卡", "title"),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 3 * mm),
        *signature_block(card.delivery_signature),
        para(NOTE, "small"),
    ]
    return build_pdf(story, f"审批流程登记卡 {card.receipt_no}")


def signature_block(signature: Signature | None) -> list[Flowable]:
    """送达签收: the recipient's signature from the kiosk's touch screen, drawn as an image."""
    if signature is None:
        return []
    height = SIGNATURE_WIDTH * signature.height / signature.width
    image = Image(io.BytesIO(signature_png(signature)), width=SIGNATURE_WIDTH, height=height)
    image.hAlign = "LEFT"
    return [para("送达签收（领取人在服务站自助终端签名）："), image, Spacer(1, 3 * mm)]
