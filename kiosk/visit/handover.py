"""Handing a result over at the station (送达) and the resident's rating at handling.

Village staff record who handed the result to whom and how identity was checked (the
card reader, the card scanned under the camera, or the receipt and the typed number); the
record is queued in the kiosk store (sealed, synced exactly once like a submission), the
server moves the case to delivered. Only the masked ID number is kept. When this kiosk
collected the case and still holds its manifest, a recipient whose ID number is not the
applicant's is refused here already, as the server would refuse it.

No Kivy here: the assist screen forwards taps, this decides.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from shared_schema import IdentityCheck, RatingReason, SchemaError
from shared_schema.enums import EvaluationStage
from shared_schema.handover import IDENTITY_CHECK_WORDS, masked_id
from shared_schema.identifiers import validate_id_number
from shared_schema.signature import Signature

from ..hardware.idreader import IdReader
from .ports import Outbox, ScannedPage

# The server's refusals as staff read them (held items show the reason).
REFUSALS_ZH = {
    "already_delivered": "该办件已交付过，不能重复交付",
    "not_completed": "该申请尚未办结，没有可交付的结果",
    "not_for_pickup": "该申请的结果不在本站领取",
    "identity_mismatch": "领取人证件号码与申请人不一致",
    "not_your_station": "不是本服务站的办件",
    "unknown_receipt": "平台没有该受理编号",
    "conflict": "交付记录内容冲突",
}


class HandoverRefused(ValueError):
    """A handover the kiosk will not record; ``message`` is Chinese, for staff."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class HandoverView:
    """A recorded handover as the status screen and staff see it."""

    receipt_no: str
    staff: str
    recipient: str
    at: str  # ISO 8601, local time
    how: str
    state: str  # Chinese: waiting to sync, synced, refused with the reason
    signed: bool = False  # the recipient signed on the touch screen


class HandoverDesk:
    def __init__(self, outbox: Outbox, id_reader: IdReader) -> None:
        self.outbox = outbox
        self.id_reader = id_reader

    def read_card(self) -> tuple[str, str] | None:
        """(name, ID number) from the card on the reader, or None when no card is there."""
        card = self.id_reader.read()
        return (card.name, card.id_number) if card else None

    @staticmethod
    def scanned_card(page: ScannedPage) -> tuple[str, str] | None:
        """(name, ID number) the scan pipeline read off an ID card under the camera, or None
        when it read no valid number (the check digit is verified: a misread is refused)."""
        try:
            number = validate_id_number(page.fields.get("id_number", "").strip().upper())
        except ValueError:
            return None
        return page.fields.get("name", "").strip(), number

    def record(
        self,
        receipt_no: str,
        staff: str,
        recipient: str,
        id_number: str,
        how: IdentityCheck | str,
        signature: Signature | None = None,
    ) -> HandoverView:
        """Check and queue one handover; raises :class:`HandoverRefused` with the reason."""
        receipt_no, staff, recipient = receipt_no.strip().upper(), staff.strip(), recipient.strip()
        if not receipt_no or not staff or not recipient:
            raise HandoverRefused("请填写受理编号、领取人姓名和经办人姓名")
        try:
            method = IdentityCheck(how)
            number = validate_id_number(id_number)
        except ValueError:
            raise HandoverRefused("请核验领取人身份：读取身份证，或填写正确的身份证号码") from None
        applicant = self.outbox.applicant_id(receipt_no)
        if applicant is not None and not secrets.compare_digest(applicant.upper(), number):
            raise HandoverRefused(REFUSALS_ZH["identity_mismatch"] + "，不能交付")
        earlier = self.outbox.handover_status(receipt_no)
        if earlier is not None and earlier.refused is None:
            raise HandoverRefused(REFUSALS_ZH["already_delivered"])
        try:
            handover = self.outbox.record_handover(
                receipt_no, handed_by=staff, handed_to=recipient, identity_check=method.value,
                id_number_masked=masked_id(number), signature=signature,
            )  # fmt: skip
        except SchemaError as exc:
            raise HandoverRefused("交付信息有误：" + "；".join(p.message for p in exc.problems)) from None
        view = self.for_receipt(handover.receipt_no)
        assert view is not None
        return view

    def for_receipt(self, receipt_no: str) -> HandoverView | None:
        status = self.outbox.handover_status(receipt_no)
        if status is None:
            return None
        h = status.body
        if status.refused is not None:
            state = "平台拒收：" + refusal_words(status.refused)
        else:
            state = "已同步至平台" if status.sent else "等待同步"
        return HandoverView(
            receipt_no=h.receipt_no,
            staff=h.handed_by,
            recipient=h.handed_to,
            at=h.handed_at.astimezone().isoformat(timespec="seconds"),
            how=IDENTITY_CHECK_WORDS[h.identity_check],
            state=state,
            signed=h.signature is not None,
        )

    def held(self) -> list[str]:
        """One line per refused handover, for the assist panel."""
        return [f"{h.receipt_no}：{refusal_words(reason)}" for h, reason in self.outbox.held_handovers()]

    def rate(self, receipt_no: str, score: int, reasons: Iterable[RatingReason] = ()) -> None:
        """The resident's rating at handling (一事一评), queued for sync."""
        if not 1 <= score <= 5:
            raise ValueError("score must be 1..5")
        self.outbox.queue_evaluation(receipt_no, score, stage=EvaluationStage.handle, reasons=list(reasons))


def refusal_words(reason: str, words_of: dict[str, str] = REFUSALS_ZH) -> str:
    """The Chinese reason for a refusal stored as ``refused: [code] …`` text."""
    for code, words in words_of.items():
        if f"[{code}]" in reason:
            return words
    return reason.removeprefix("refused:").strip()
