"""The kiosk list: who is silent, who runs an old catalog, whose queue breaks the 2-day promise.

A kiosk whose link is down keeps collecting; its submissions wait in its outbox and the
附录 A promise (materials transferred within 2 working days) runs out while they wait.
The heartbeat names the oldest unsent submission's time, so the list can warn before the
promise is broken. The city administrator sees every kiosk, station staff their own.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..catalog_sync import current_release
from ..db import get_db, utcnow
from ..fleet import kiosk_overview
from ..models import Station
from .roles import CAN_KIOSKS, Role
from .scope import require_role
from .web import bp, page, user

SILENT_AFTER = timedelta(minutes=15)
"""A kiosk beats every minute; a quarter of an hour of silence means it is off or cut off."""


@bp.get("/kiosks", endpoint="kiosks")
def kiosks_view():  # type: ignore[no-untyped-def]
    staff = user()
    require_role(staff, CAN_KIOSKS)
    now = utcnow()
    with get_db().transaction() as session:
        rows = kiosk_overview(session, None, now)
        if staff.role == Role.station_staff:
            rows = [r for r in rows if r["station_code"] == staff.station_code]
        stations = {code: name for code, name in session.execute(select(Station.code, Station.name))}
        release = current_release(session)
    current = release.version if release else None
    for row in rows:
        row["station_name"] = stations.get(row["station_code"], row["station_code"])
        row["silent"] = row["silent_for_seconds"] is None or row["silent_for_seconds"] > SILENT_AFTER.seconds
        row["old_catalog"] = bool(current and row["catalog_version"] and row["catalog_version"] != current)
    rows.sort(key=_most_urgent_first)
    return page("kiosks.html", rows=rows, current_catalog=current, silent_minutes=SILENT_AFTER.seconds // 60)


def _most_urgent_first(row: dict) -> tuple[bool, bool, bool]:
    return row["transfer_alarm"] != "overdue", row["transfer_alarm"] != "due_soon", not row["silent"]
