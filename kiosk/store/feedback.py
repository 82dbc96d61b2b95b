"""A resident's 意见建议 (standard 5.5) queued offline and sent once each by uuid.

The text is the resident's own words and may hold personal data: it is sealed like every
other queue, and once the server's signed acknowledgement names this uuid the sealed body
is emptied (the server keeps the feedback; the kiosk only needs the feedback number, to
find the answer). The number is made here when the note is left, from this kiosk's
prefix and counter (:mod:`.feedback_numbers`), so the resident has it at once, online or
not, and no other kiosk can make it; the server keeps it or refuses the note (409).
A note the server refuses stays sealed with the reason for staff, like a refused handover.
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select

from shared_schema import SchemaError
from shared_schema.feedback import FeedbackAck, FeedbackNote

from .feedback_numbers import next_number
from .home import KioskStore
from .models import QueuedFeedback, utcnow
from .sealed_queue import REFUSED, NotAcknowledged, SealedQueue

About = Literal["matter", "guide"]


@dataclass(frozen=True)
class LocalFeedback:
    """A note left at this kiosk as the status screen tells it (no key needed)."""

    matter_code: str
    sent: bool
    refused: bool
    feedback_no: str | None  # made here; the server's, once it acknowledged


class FeedbackNotes(SealedQueue[FeedbackNote]):
    """Read a receipt's notes with :meth:`for_receipt_all`: a sent note has no body left to
    open (the inherited ``for_receipt`` opens one)."""

    def __init__(self, store: KioskStore) -> None:
        super().__init__(store, QueuedFeedback, FeedbackNote, "feedback")

    def leave(
        self,
        *,
        station_code: str,
        matter_code: str,
        about: About,
        text: str,
        receipt_no: str | None = None,
        now: datetime | None = None,
    ) -> FeedbackNote:
        """Validate (raises SchemaError) and queue one note; sent on the next sync. Raises
        NoFeedbackPrefix / OutOfNumbers when this kiosk cannot make a number."""
        note = FeedbackNote.parse(
            {
                "client_uuid": str(uuidlib.uuid4()),
                "station_code": station_code,
                "matter_code": matter_code,
                "about": about,
                "text": text,
                "receipt_no": receipt_no,
                "feedback_no": next_number(self.store),
                "created_at": (now or utcnow()).isoformat(),
            }
        )
        self.put(str(note.client_uuid), note, matter_code=note.matter_code, receipt_no=note.receipt_no,
                 feedback_no=note.feedback_no)  # fmt: skip
        return note

    def accept(self, key: str, answer: Any) -> None:
        """The server's acknowledgement: keep its feedback number, drop the sealed text."""
        try:
            ack = FeedbackAck.parse(answer, source="POST /feedback")
        except SchemaError as exc:
            raise NotAcknowledged(f"malformed feedback acknowledgement: {exc}") from None
        if str(ack.client_uuid) != key:
            raise NotAcknowledged(f"the acknowledgement names feedback {ack.client_uuid}, not {key}")
        with self.store.db.write() as s:
            row = s.get(QueuedFeedback, key)
            if row is not None and row.sent_at is None:
                row.sent_at, row.feedback_no, row.payload_enc = utcnow(), ack.feedback_no, b""

    def for_receipt_all(self, receipt_no: str) -> list[LocalFeedback]:
        """Every note left here with this receipt number, oldest first."""
        return self._local(QueuedFeedback.receipt_no == receipt_no)

    def for_number(self, feedback_no: str) -> list[LocalFeedback]:
        """The note left here under this feedback number (none: left elsewhere, or unknown)."""
        return self._local(QueuedFeedback.feedback_no == feedback_no)

    def _local(self, where: Any) -> list[LocalFeedback]:
        query = select(QueuedFeedback).where(where).order_by(QueuedFeedback.created_at)
        with self.store.db.read() as s:
            return [
                LocalFeedback(
                    r.matter_code,
                    r.sent_at is not None,
                    (r.last_error or "").startswith(REFUSED),
                    r.feedback_no,
                )
                for r in s.scalars(query)
            ]
