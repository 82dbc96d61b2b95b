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


def completed_text(delivery: str, *, station: str = "", tracking_no: str = "", verify_code: str = "") -> str:
    """Only what happens: the department sends pickups to the station, mails with a
    tracking number, and stamps electronic results with a code anyone can check at
    /verify. No kiosk prints results yet, so no text promises that."""
    code = f"结果核验码{verify_code}（扫描结果上的二维码可核验真伪）。" if verify_code else ""
    if delivery == "pickup":
        return f"申请已办结，办理结果将送至{station}，请凭本人身份证到该站点领取。{code}"
    if delivery == "mail":
        return f"申请已办结，办理结果已邮寄，快递单号{tracking_no}。{code}"
    return f"申请已办结，电子办理结果已出具。{code}领取电子结果请联系办理部门。"


def delivered_text(how: str) -> str:
    return {"pickup": "办理结果已领取。", "mail": "办理结果已邮寄送达。"}.get(how, "办理结果已送达。")


def tell_applicant(session: Session, submission: Submission, event: SubmissionEvent) -> None:
    """Queue the SMS for an event whose feed text is already recorded."""
    text = f"{SIGNATURE}您的申请（受理编号{submission.receipt_no}）：{event.message_zh}"
    sms.queue(session, submission.applicant_phone, text, submission.id, event.id)
