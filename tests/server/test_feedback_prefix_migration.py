"""Revision d5a8f1c3e7b2 gives kiosks enrolled before feedback prefixes existed one each,
oldest first, and the unique constraint keeps them apart from then on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from sync_server import migrate
from sync_server.catalog_sync import load_catalog_into
from sync_server.db import Database

from .factories import STATION_ZEZHOU, make_catalog

BEFORE, AFTER = "c9e4b7a1d2f3", "d5a8f1c3e7b2"
ENROLLED = {"KNEWER": "2026-06-01 08:00:00", "KOLDER": "2025-01-01 08:00:00", "KSAME2": "2026-06-01 08:00:00"}
ADD = (
    "INSERT INTO kiosks (kiosk_id, station_code, profile, secret_hash, bundle_key, enrolled_at, feed_seq)"
    " VALUES (:k, :station, 'virtual', 'h', 'b', :at, 0)"
)


def test_kiosks_enrolled_before_get_prefixes_oldest_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    migrate.upgrade(url, BEFORE)
    db = Database(url)
    try:
        with db.transaction(write=True) as session:
            load_catalog_into(session, make_catalog())  # the kiosks' station
            for kiosk_id, at in ENROLLED.items():
                session.execute(text(ADD), {"k": kiosk_id, "station": STATION_ZEZHOU, "at": at})
        migrate.upgrade(url, AFTER)
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT kiosk_id, feedback_prefix FROM kiosks ORDER BY 2")).all()
        assert [tuple(r) for r in rows] == [("KOLDER", 1), ("KNEWER", 2), ("KSAME2", 3)]
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE kiosks SET feedback_prefix = 1 WHERE kiosk_id = 'KNEWER'"))
        migrate.upgrade(url, "head")  # and on to the newest revision
    finally:
        db.dispose()
