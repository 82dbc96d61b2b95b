"""Originals mailed with the transfer slip: a station's mailing record, one per case."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shared_schema.bounds import PERSON_NAME_LEN, RECEIPT_NO_LEN
from shared_schema.mailing import TRACKING_NO_LEN

from ..db import Base, JsonType, UtcDateTime, utcnow


class OriginalMailing(Base):
    """The tracking number of a case's mailed originals (原件随转办单寄送), exactly once per
    ``mailing_uuid``; its acknowledgement is replayed as stored."""

    __tablename__ = "original_mailings"

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_uuid: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), unique=True, doc="one envelope per case"
    )
    kiosk_id: Mapped[str | None] = mapped_column(ForeignKey("kiosks.kiosk_id"))
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    receipt_no: Mapped[str] = mapped_column(String(RECEIPT_NO_LEN))
    tracking_no: Mapped[str] = mapped_column(String(TRACKING_NO_LEN))
    recorded_by: Mapped[str] = mapped_column(String(PERSON_NAME_LEN))
    materials: Mapped[list[Any]] = mapped_column(JsonType, doc="requirement codes of the originals sent")
    mailed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    content_digest: Mapped[str] = mapped_column(String(64))
    ack_body: Mapped[str] = mapped_column(Text, doc="the first acknowledgement, replayed as is")
