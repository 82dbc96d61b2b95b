"""Who "collected" an online application: a virtual 网上专区 station and kiosk per city.

The ingest, routing, feed and ledger all expect a station and a kiosk, so the online zone
has one of each per city, made on first use: station ``WSZQ<city code>`` (named
"<city>网上专区", in the city's own division, so routing counts it as no county's station
and an entrusted matter goes to the applicant's home county department) and kiosk
``WS<city code>``. The kiosk row is revoked from birth: no device can ever authenticate
as it, and it never shows as a silent kiosk. Receipt numbers are the virtual kiosk's,
``WSZQ140500-WS140500-<YYYYMMDD>-<seq>``, with a per-day counter in the database.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema.receipts import receipt_prefix
from shared_schema.workcalendar import CHINA_TZ

from ..catalog_sync import current_release
from ..db import utcnow
from ..enrollment import KioskPrincipal
from ..errors import ApiError
from ..models import Kiosk, Station
from .models import ReceiptCounter
from .rows import insert_missing

STATION_PREFIX = "WSZQ"
KIOSK_PREFIX = "WS"


@dataclass(frozen=True)
class OnlineDesk:
    station_code: str
    kiosk_id: str

    @property
    def principal(self) -> KioskPrincipal:
        return KioskPrincipal(self.kiosk_id, self.station_code, secret="")


def desk(session: Session) -> OnlineDesk:
    """The current city's virtual station and kiosk, created (or reactivated) when needed."""
    release = current_release(session)
    if release is None:
        raise ApiError(503, "no_catalog", "no catalog published", "事项清单尚未发布，暂不能网上申请")
    station_code, kiosk_id = STATION_PREFIX + release.city_code, KIOSK_PREFIX + release.city_code
    station = session.get(Station, station_code)
    if station is None:
        station = Station(code=station_code, division_code=release.city_code)
        session.add(station)
    station.name = station.window_name = f"{release.city_name}网上专区"
    station.address = "网上专区（手机或电脑网页）"
    station.active = True  # a catalog load marks stations it does not list inactive
    if session.get(Kiosk, kiosk_id) is None:
        session.flush()
        unusable = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
        session.add(
            Kiosk(kiosk_id=kiosk_id, station_code=station_code, name="网上专区", profile="online",
                  secret_hash=unusable, bundle_key=secrets.token_hex(32), revoked_at=utcnow(), feed_seq=0)
        )  # fmt: skip
    session.flush()
    return OnlineDesk(station_code, kiosk_id)


def next_receipt_no(session: Session, where: OnlineDesk, at: datetime) -> str:
    """The next receipt number of the day (China time); concurrent callers never share one."""
    day = at.astimezone(CHINA_TZ).strftime("%Y%m%d")
    insert_missing(session, ReceiptCounter, "day", day=day, last_seq=0)
    counter = session.scalars(select(ReceiptCounter).where(ReceiptCounter.day == day).with_for_update()).one()
    counter.last_seq += 1
    return f"{receipt_prefix(where.station_code, where.kiosk_id)}{day}-{counter.last_seq:04d}"
