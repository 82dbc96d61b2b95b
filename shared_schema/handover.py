"""送达 at the station: village staff hand a completed case's result to the resident.

A handover is an outbox item like a submission: queued offline, sent exactly once under
its ``handover_uuid``, answered with a signed acknowledgement. It carries only the
masked ID number (first and last four characters): enough to tell people apart and to
check against the applicant, never the number itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from .base import SchemaModel
from .bounds import PERSON_NAME_LEN, STATION_CODE_LEN, Instant, text
from .enums import IdentityCheck, SubmissionState
from .identifiers import mask_id_number
from .signature import Signature
from .submission import ReceiptNo

MASKED_ID_LEN = 18
MASKED_ID = r"^\d{4}\*{10}\d{3}[\dX]$"
IDENTITY_CHECK_WORDS: dict[IdentityCheck, str] = {
    IdentityCheck.id_card_reader: "身份证读卡器核验",
    IdentityCheck.scanned_id: "扫描身份证核验",
    IdentityCheck.receipt_qr_and_id_number: "回执二维码及身份证号码核验",
}


def masked_id(id_number: str) -> str:
    """The masked form a handover carries (``1405**********123X``) of a checked ID number."""
    return mask_id_number(id_number.strip().upper())


class Handover(SchemaModel):
    """``POST /handovers``: who handed which case's result to whom, and how identity was checked."""

    handover_uuid: UUID
    receipt_no: ReceiptNo
    station_code: Annotated[str, text(STATION_CODE_LEN)]
    handed_by: Annotated[str, text(PERSON_NAME_LEN, min_length=1)] = Field(description="village staff member")
    handed_to: Annotated[str, text(PERSON_NAME_LEN, min_length=1)] = Field(description="who took the result")
    identity_check: IdentityCheck
    id_number_masked: str = Field(
        pattern=MASKED_ID, max_length=MASKED_ID_LEN, description="the recipient's ID number, masked"
    )
    handed_at: Instant
    # 签收 on the touch screen (optional); left out of the JSON when absent, so a handover
    # without one has the content digest (and the server) it had before.
    signature: Signature | None = Field(
        None, exclude_if=lambda v: v is None, description="the recipient's signature (签收), optional"
    )


class HandoverAck(SchemaModel):
    """The signed acknowledgement; a replay gets the same bytes again."""

    handover_uuid: UUID
    receipt_no: str
    state: SubmissionState
    delivered_at: datetime
    received_at: datetime
