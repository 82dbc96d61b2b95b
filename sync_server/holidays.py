"""Stored holiday tables and each app's working-day calendar, kept fresh.

:func:`store_table` (one transaction with the caller's other work) stores a validated
table, replacing that year's, and republishes the current catalog release with the
tables inside (new ETag, so kiosks fetch it). Recounting the deadlines it moves is the
workspace's job (``sync_server.workspace.holiday_import``). After commit the caller
calls :func:`reload` so this process counts with the new table at once.

Other gunicorn workers notice within ``HOLIDAY_RECHECK_SECONDS`` (default 5): before a
request, at most that often, the app compares a cheap key of the ``holiday_tables`` rows
(count, latest import time) with the one its calendar was built from.
"""

from __future__ import annotations

import time

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema.holidays import HolidayTable
from shared_schema.workcalendar import WorkCalendar

from .catalog_sync import republish_holidays
from .db import get_db, utcnow
from .holiday_store import stored_tables, tables_key
from .models import CatalogRelease, HolidayTableRow
from .workdays import EXTENSION


def store_table(session: Session, table: HolidayTable, actor: str) -> tuple[bool, CatalogRelease | None]:
    """Store ``table`` and republish the catalog; (replaced an earlier one?, the release)."""
    row = session.get(HolidayTableRow, table.year)
    replaced = row is not None
    if row is None:
        row = HolidayTableRow(year=table.year)
        session.add(row)
    row.notice = table.notice
    row.example = table.example
    row.body = table.to_json_dict()
    row.imported_at = utcnow()
    row.imported_by = actor[:80]
    session.flush()
    return replaced, republish_holidays(session)


def calendar_of(session: Session) -> WorkCalendar:
    """The calendar of the stored tables as this transaction sees them."""
    return WorkCalendar(stored_tables(session))


def loaded_tables(session: Session) -> list[HolidayTableRow]:
    return list(session.scalars(select(HolidayTableRow).order_by(HolidayTableRow.year)))


def reload(app: Flask) -> WorkCalendar:
    """Build this app's calendar from the stored tables now."""
    with get_db(app).transaction() as session:
        key = tables_key(session)
        calendar = calendar_of(session)
    app.extensions[EXTENSION] = (key, calendar, time.monotonic())
    return calendar


def _refresh() -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    held = app.extensions.get(EXTENSION)
    if held is not None and time.monotonic() - held[2] < app.config["HOLIDAY_RECHECK_SECONDS"]:
        return
    with get_db(app).transaction() as session:
        key = tables_key(session)
    if held is not None and held[0] == key:
        app.extensions[EXTENSION] = (key, held[1], time.monotonic())
        return
    reload(app)


def init_app(app: Flask) -> None:
    app.config.setdefault("HOLIDAY_RECHECK_SECONDS", 5.0)
    app.before_request(_refresh)
