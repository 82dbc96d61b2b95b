"""What the applicant is told, in Chinese: the kiosk status feed text and the SMS.

Every decision an applicant must know (correction needed, accepted, rejected, a special
stage, result ready, delivered) becomes one event (→ the kiosk feed, via
``events.record_event``) and one SMS in the outbox. Feed texts carry no personal data;
the SMS goes to the applicant's own phone and names the receipt number.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..models import Submission, SubmissionEvent
from . import sms

SIGNATURE = "【市域通办】"


def day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def correction_text(items: list[str]) -> str:
    listed = "；".join(f"{i}. {item}" for i, item in enumerate(items, 1))
    return f"申请材料需要补正（一次性告知），需补正的全部内容：{listed}。请备齐后重新提交。"


def accepted_text(promised_due: date, instant: bool) -> str:
    if instant:
        return f"申请已受理（即办件），将于{day(promised_due)}当日办结。"
    return f"申请已受理，承诺于{day(promised_due)}前办结。"


def rejected_text(kind: str, reason: str) -> str:
    return f"申请{kind}，理由：{reason}。如有疑问可咨询办理部门。"


def special_start_text(label: str, reason: str) -> str:
    return f"申请进入{label}环节（{reason}），该环节时间不计入承诺时限。"


def special_end_text(label: str, promised_due: date) -> str:
    return f"{label}环节已结束，继续办理，承诺办结日期顺延至{day(promised_due)}。"


def completed_text(
    delivery: str, *, station: str = "", tracking_no: str = "", electronic: bool = False
) -> str:
    if delivery == "pickup":
        what = "电子结果可在服务站自助终端打印" if electronic else "纸质结果已送至服务站"
        return f"申请已办结，{what}，请凭身份证到{station}领取。"
    if delivery == "mail":
        return f"申请已办结，办理结果已邮寄，快递单号{tracking_no}。"
    return "申请已办结，电子办理结果已生成，可在线或到任一服务站自助终端查看打印。"


def delivered_text(how: str) -> str:
    return {"pickup": "办理结果已领取。", "mail": "办理结果已邮寄送达。"}.get(how, "办理结果已送达。")


def tell_applicant(session: Session, submission: Submission, event: SubmissionEvent) -> None:
    """Queue the SMS for an event whose feed text is already recorded."""
    text = f"{SIGNATURE}您的申请（受理编号{submission.receipt_no}）：{event.message_zh}"
    sms.queue(session, submission.applicant_phone, text, submission.id, event.id)
