"""送达 records: a result handed over at a station, sent by its kiosk exactly once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shared_schema.bounds import PERSON_NAME_LEN, RECEIPT_NO_LEN
from shared_schema.handover import MASKED_ID_LEN

from ..db import Base, JsonType, UtcDateTime, utcnow


class Handover(Base):
    """One handover (送达) per case and per ``handover_uuid``; its ack is replayed as stored."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), unique=True, doc="a case is delivered once"
    )
    kiosk_id: Mapped[str | None] = mapped_column(ForeignKey("kiosks.kiosk_id"))
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    receipt_no: Mapped[str] = mapped_column(String(RECEIPT_NO_LEN))
    handed_by: Mapped[str] = mapped_column(String(PERSON_NAME_LEN))
    handed_to: Mapped[str] = mapped_column(String(PERSON_NAME_LEN))
    identity_check: Mapped[str] = mapped_column(String(32))
    id_number_masked: Mapped[str] = mapped_column(String(MASKED_ID_LEN))
    handed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    content_digest: Mapped[str] = mapped_column(String(64))
    ack_body: Mapped[str] = mapped_column(Text, doc="the first acknowledgement, replayed as is")
    signature: Mapped[dict[str, Any] | None] = mapped_column(
        JsonType, doc="the recipient's 签收 strokes (shared_schema.signature), when they signed"
    )
