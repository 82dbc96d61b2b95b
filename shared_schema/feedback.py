"""意见建议 from the kiosk (standard 5.5): a resident's feedback on a matter or its guide.

Queued in the kiosk's outbox and sent exactly once per ``client_uuid`` (a replay gets the
same acknowledgement, other content under the same uuid a 409). The kiosk makes the
feedback number (:mod:`shared_schema.feedback_no`: its server-given prefix and its own
counter) and shows it at once, online or not; the acknowledgement carries the same number,
which the resident uses to read the answer later, at any kiosk. A number made under another
kiosk's prefix, or taken already, is refused (409), never replaced.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, field_validator

from .base import SchemaModel
from .bounds import MATTER_CODE_LEN, STATION_CODE_LEN, Instant, text
from .catalog import MATTER_CODE
from .feedback_no import FEEDBACK_NO, FEEDBACK_NO_LEN, is_valid
from .submission import ReceiptNo

FEEDBACK_TEXT_LEN = 500
FeedbackNo = Annotated[str, Field(pattern=FEEDBACK_NO, max_length=FEEDBACK_NO_LEN)]
MAX_LOOKUP = 20


class FeedbackNote(SchemaModel):
    client_uuid: UUID
    station_code: Annotated[str, text(STATION_CODE_LEN)]
    matter_code: str = Field(pattern=MATTER_CODE, max_length=MATTER_CODE_LEN)
    about: Literal["matter", "guide"]
    text: Annotated[str, text(FEEDBACK_TEXT_LEN, min_length=2)]
    receipt_no: ReceiptNo | None = Field(None, description="a receipt the resident gave, to look up by")
    feedback_no: FeedbackNo | None = Field(
        None, description="the number shown to the resident (Damm check digit); none: the server makes one"
    )
    created_at: Instant

    @field_validator("feedback_no")
    @classmethod
    def _check_digit(cls, value: str | None) -> str | None:
        if value is not None and not is_valid(value):
            raise ValueError("feedback_no check digit does not match")
        return value


class FeedbackAck(SchemaModel):
    client_uuid: UUID
    feedback_no: FeedbackNo
    received_at: datetime


class FeedbackLookup(SchemaModel):
    """The answers a resident asks for at the kiosk: by feedback numbers, or by a receipt."""

    numbers: list[FeedbackNo] = Field(default_factory=list, max_length=MAX_LOOKUP)
    receipt_no: ReceiptNo | None = None


class FeedbackAnswer(SchemaModel):
    feedback_no: FeedbackNo
    matter_code: str
    text: str
    state: Literal["open", "answered"]
    answer: str | None = None
    answered_at: datetime | None = None


class FeedbackAnswers(SchemaModel):
    answers: list[FeedbackAnswer] = Field(max_length=MAX_LOOKUP)
