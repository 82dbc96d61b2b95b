"""The kiosk list warns before a kiosk's unsent queue breaks the 2-working-day promise.

Heartbeats arrive through the real API as the kiosks send them; the page is read as the
city administrator (every kiosk) and as station staff (their station's only).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sync_server.catalog_sync import current_release
from sync_server.db import get_db, utcnow
from sync_server.fleet import transfer_alarm

from .conftest import CHINA


def beat(client, kiosk, oldest: datetime | None, catalog_version: str) -> None:  # type: ignore[no-untyped-def]
    body = {
        "queue_length": 0 if oldest is None else 4,
        "oldest_waiting_at": oldest.isoformat() if oldest else None,
        "disk_free_bytes": 10_000_000,
        "app_version": "0.1.0",
        "catalog_version": catalog_version,
    }
    assert client.post("/heartbeat", kiosk, json=body).status_code == 200


def row_of(html: str, kiosk_id: str) -> str:
    start = html.index(f'data-kiosk="{kiosk_id}"')
    return html[start : html.index("</tr>", start)]


def test_transfer_alarm_counts_working_days() -> None:
    monday = datetime(2026, 11, 30, 10, tzinfo=CHINA)  # due Wednesday 12-02
    assert transfer_alarm(monday, monday)["transfer_alarm"] is None  # two working days left
    tuesday = transfer_alarm(monday, monday + timedelta(days=1))
    assert tuesday == {"transfer_due": "2026-12-02", "transfer_days_left": 1, "transfer_alarm": "due_soon"}
    assert transfer_alarm(monday, monday + timedelta(days=2))["transfer_alarm"] == "due_soon"  # due today
    assert transfer_alarm(monday, monday + timedelta(days=3))["transfer_alarm"] == "overdue"
    friday = datetime(2026, 12, 4, 10, tzinfo=CHINA)  # the weekend does not count: due Tuesday
    assert transfer_alarm(friday, friday + timedelta(days=3))["transfer_due"] == date(2026, 12, 8).isoformat()
    assert transfer_alarm(None, monday)["transfer_alarm"] is None


def test_the_list_flags_overdue_queues_old_catalogs_and_scopes_station_staff(
    app, client, kiosk, other_kiosk, as_user
) -> None:  # type: ignore[no-untyped-def]
    with get_db(app).transaction() as session:
        current = current_release(session).version
    beat(client, kiosk, utcnow() - timedelta(days=30), current)  # link down for a month
    beat(client, other_kiosk, utcnow(), "2020.01.01")  # fine queue, old catalog

    admin = as_user("admin").get("/workspace/kiosks")
    assert admin.status_code == 200
    html = admin.get_data(as_text=True)
    late, fine = row_of(html, kiosk.kiosk_id), row_of(html, other_kiosk.kiosk_id)
    assert "已超过转报期限" in late and "旧版清单" not in late
    assert "已超过转报期限" not in fine and "转报期限将到" not in fine
    assert "旧版清单" in fine and "2020.01.01" in fine
    assert html.index(kiosk.kiosk_id) < html.index(other_kiosk.kiosk_id)  # most urgent first

    station = as_user("station").get("/workspace/kiosks").get_data(as_text=True)  # 泽州 station staff
    assert kiosk.kiosk_id in station and other_kiosk.kiosk_id not in station
    assert as_user("rev_a").get("/workspace/kiosks").status_code == 403
