"""Originals mailed with the transfer slip (原件寄送), recorded in assist mode, queued
offline and sent once each by uuid (``POST /original-mailings``), like a handover.

A mailing the server refuses (already mailed, no original wanted, not this station)
stays here with the reason for staff.
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import datetime

from shared_schema.mailing import OriginalMailing

from .home import KioskStore
from .models import QueuedMailing, utcnow
from .sealed_queue import QueuedStatus, SealedQueue

MailingStatus = QueuedStatus[OriginalMailing]  # a recorded mailing as staff see it


class OriginalMailings(SealedQueue[OriginalMailing]):
    def __init__(self, store: KioskStore) -> None:
        super().__init__(store, QueuedMailing, OriginalMailing, "mailing")

    def record(
        self,
        receipt_no: str,
        *,
        station_code: str,
        tracking_no: str,
        recorded_by: str,
        now: datetime | None = None,
    ) -> OriginalMailing:
        """Validate (raises SchemaError) and queue one mailing; sent on the next sync."""
        mailing = OriginalMailing.parse(
            {
                "mailing_uuid": str(uuidlib.uuid4()),
                "receipt_no": receipt_no,
                "station_code": station_code,
                "tracking_no": tracking_no,
                "recorded_by": recorded_by,
                "mailed_at": (now or utcnow()).isoformat(),
            }
        )
        self.put(str(mailing.mailing_uuid), mailing, receipt_no=mailing.receipt_no)
        return mailing
