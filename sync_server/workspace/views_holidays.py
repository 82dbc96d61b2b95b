"""The holiday tables page (city administrator): which years are official, import a notice.

The uploaded file is validated as a whole; its problems are listed on the page, all at
once, and nothing is stored. A good file is imported like ``tongban server holidays
import`` does (catalog republished, open deadlines recomputed) and logged in the audit log.
"""

from __future__ import annotations

from flask import Response, current_app, redirect, request, url_for

from shared_schema import SchemaError
from shared_schema.holidays import MAX_FILE_BYTES, parse_holiday_table

from ..db import get_db, utcnow
from ..holidays import loaded_tables, reload
from ..workdays import calendar, local_date
from . import audit
from .holiday_import import import_table
from .roles import CAN_HOLIDAYS
from .scope import require_role
from .web import bp, page, user, who

YEARS_SHOWN = 4  # last year, this year and the next two: the ones deadlines fall in


def _page(status: int = 200, **context: object) -> tuple[str, int]:
    this_year = local_date(utcnow()).year
    cal = calendar()
    years = [(y, cal.source(y).value) for y in range(this_year - 1, this_year - 1 + YEARS_SHOWN)]
    with get_db().transaction() as session:
        tables = loaded_tables(session)
    return page("holidays.html", status, tables=tables, years=years, max_bytes=MAX_FILE_BYTES, **context)


@bp.get("/holidays", endpoint="holidays")
def holidays_view():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_HOLIDAYS)
    args = request.args
    return _page(done=args.get("done", type=int), moved=args.get("moved", type=int))


@bp.post("/holidays", endpoint="holidays_import")
def holidays_import():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_HOLIDAYS)
    upload = request.files.get("table")
    if upload is None or not upload.filename:
        return _page(400, problems=["请选择要导入的节假日安排文件（YAML 或 JSON）"])
    raw = upload.read(MAX_FILE_BYTES + 1)
    try:
        table = parse_holiday_table(raw, source=upload.filename)
    except SchemaError as exc:
        return _page(400, problems=[str(p) for p in exc.problems], filename=upload.filename)
    with get_db().transaction(write=True) as session:
        report = import_table(session, table, user().username)
        audit.record(session, who(), "holidays_import", detail=report.audit_detail())
    reload(current_app._get_current_object())  # type: ignore[attr-defined]
    response: Response = redirect(  # type: ignore[assignment]
        url_for("workspace.holidays", done=table.year, moved=len(report.changed)), 303
    )
    return response
