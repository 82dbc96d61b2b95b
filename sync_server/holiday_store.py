"""The imported holiday tables as schema objects (rows ↔ :class:`HolidayTable`).

Kept apart from :mod:`sync_server.holidays` so the catalog loader can read the tables
without importing the import service (which imports the catalog loader).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared_schema.holidays import HolidayTable

from .models import HolidayTableRow

TableKey = tuple[int, datetime | None]


def stored_tables(session: Session) -> list[HolidayTable]:
    rows = session.scalars(select(HolidayTableRow).order_by(HolidayTableRow.year))
    return [HolidayTable.model_validate(row.body) for row in rows]


def tables_key(session: Session) -> TableKey:
    """Changes whenever a table is imported or replaced: cheap to ask on every refresh."""
    count, latest = session.execute(
        select(func.count(), func.max(HolidayTableRow.imported_at)).select_from(HolidayTableRow)
    ).one()
    return int(count), latest
