"""Handovers (送达) recorded in assist mode, queued offline and sent once each by uuid.

Replaces the earlier ``handovers.jsonl``: a handover is now an outbox item the server
learns of (the case moves to delivered, the ledger and flow card get their 送达 entries).
Written in one SQLite transaction (WAL, synchronous=FULL), so it survives a power cut
the moment it is recorded, as the log did. A handover the server refuses (already
delivered, not ready, not this station) stays here with the reason for staff. Recording
a handover also starts the purge clock of the case's result kept here (``results``).
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import datetime

from shared_schema import Handover, IdentityCheck
from shared_schema.signature import Signature

from . import results
from .home import KioskStore
from .models import QueuedHandover, utcnow
from .sealed_queue import QueuedStatus, SealedQueue

HandoverStatus = QueuedStatus[Handover]  # a recorded handover as staff see it


class Handovers(SealedQueue[Handover]):
    def __init__(self, store: KioskStore) -> None:
        super().__init__(store, QueuedHandover, Handover, "handover")

    def record(
        self,
        receipt_no: str,
        *,
        station_code: str,
        handed_by: str,
        handed_to: str,
        identity_check: IdentityCheck | str,
        id_number_masked: str,
        signature: Signature | None = None,
        now: datetime | None = None,
    ) -> Handover:
        """Validate (raises SchemaError) and queue one handover; sent on the next sync. The
        recipient's signature, when they signed, is sealed with it."""
        signed = {"signature": signature.model_dump(mode="json")} if signature is not None else {}
        handover = Handover.parse(
            {
                **signed,
                "handover_uuid": str(uuidlib.uuid4()),
                "receipt_no": receipt_no,
                "station_code": station_code,
                "handed_by": handed_by,
                "handed_to": handed_to,
                "identity_check": identity_check,
                "id_number_masked": id_number_masked,
                "handed_at": (now or utcnow()).isoformat(),
            }
        )
        self.put(
            str(handover.handover_uuid),
            handover,
            receipt_no=handover.receipt_no,
            # a result kept here for this case now counts down to its purge
            and_then=lambda s: results.mark_handed_over(s, handover.receipt_no, handover.handed_at),
        )
        return handover
