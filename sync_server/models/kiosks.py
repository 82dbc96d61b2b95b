"""Kiosks, their one-time enrollment codes and their latest heartbeat.

Secrets are stored only as SHA-256 hashes: they are 256-bit random tokens, so a fast
hash is enough (argon2 is for human passwords and would cost every request ~50 ms).
The bundle key authenticates sneakernet bundles only and is kept in clear, see
docs/sync-protocol.md.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared_schema.bounds import (
    APP_VERSION_LEN,
    CATALOG_VERSION_LEN,
    KIOSK_ID_LEN,
    KIOSK_NAME_LEN,
    LAST_ERROR_LEN,
    PROFILE_LEN,
)

from ..db import Base, UtcDateTime, utcnow


class EnrollmentCode(Base):
    """A one-time code an admin hands to whoever installs a kiosk at ``station_code``."""

    __tablename__ = "enrollment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    kiosk_id: Mapped[str | None] = mapped_column(String(KIOSK_ID_LEN))


class Kiosk(Base):
    """自助终端. ``feed_seq`` is the last cursor value handed out in its status feed;
    ``feedback_prefix`` is given at enrollment (kiosks enrolled before: by migration d5a8f1c3e7b2)."""

    __tablename__ = "kiosks"

    kiosk_id: Mapped[str] = mapped_column(String(KIOSK_ID_LEN), primary_key=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"), index=True)
    name: Mapped[str | None] = mapped_column(String(KIOSK_NAME_LEN))
    profile: Mapped[str] = mapped_column(String(PROFILE_LEN), default="virtual")
    secret_hash: Mapped[str] = mapped_column(String(64))
    bundle_key: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    feed_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # the kiosk part of its feedback numbers (shared_schema.feedback_no), one per enrollment
    feedback_prefix: Mapped[int | None] = mapped_column(Integer, unique=True)

    heartbeat: Mapped[KioskHeartbeat | None] = relationship(back_populates="kiosk")

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class KioskHeartbeat(Base):
    """The latest heartbeat per kiosk (older ones are not kept: the fleet view wants now)."""

    __tablename__ = "kiosk_heartbeats"

    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.kiosk_id"), primary_key=True)
    # no index: an indexed column changes on every heartbeat, which defeats in-place (HOT)
    # updates; the fleet view reads every row anyway
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    queue_length: Mapped[int] = mapped_column(Integer, doc="≤ INT32_MAX (Heartbeat)")
    oldest_waiting_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(LAST_ERROR_LEN))
    disk_free_bytes: Mapped[int | None] = mapped_column(BigInteger)
    app_version: Mapped[str] = mapped_column(String(APP_VERSION_LEN))
    catalog_version: Mapped[str | None] = mapped_column(String(CATALOG_VERSION_LEN))

    kiosk: Mapped[Kiosk] = relationship(back_populates="heartbeat")


class ServerSetting(Base):
    """Small facts about this installation, e.g. its id (``server_key_id`` at enrollment)."""

    __tablename__ = "server_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
