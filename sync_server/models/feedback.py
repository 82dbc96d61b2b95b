"""Feedback on a matter or its guide (standard 5.5): from residents, station and department staff.

The city administrator answers it, or links it to the catalog draft that makes the change;
the person who left it reads the answer (staff in the workspace, residents at the kiosk by
the feedback number they were given, or by a receipt number they gave).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shared_schema.bounds import MATTER_CODE_LEN, RECEIPT_NO_LEN, STATION_CODE_LEN

from ..db import Base, UtcDateTime, utcnow


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_no: Mapped[str] = mapped_column(String(16), unique=True, doc="shown to whoever left it")
    client_uuid: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True, doc="kiosk: exactly once")
    matter_code: Mapped[str] = mapped_column(String(MATTER_CODE_LEN), index=True)
    about: Mapped[str] = mapped_column(String(10), doc="matter or guide")
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(12), doc="resident, station, department")
    kiosk_id: Mapped[str | None] = mapped_column(String(40))
    station_code: Mapped[str | None] = mapped_column(String(STATION_CODE_LEN))
    receipt_no: Mapped[str | None] = mapped_column(String(RECEIPT_NO_LEN), index=True)
    author: Mapped[str | None] = mapped_column(String(40), index=True, doc="staff username")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(10), default="open", index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(40))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_drafts.id"))
