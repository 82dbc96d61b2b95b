"""``tongban server holidays import FILE`` / ``holidays list``: the year's holiday notice.

The import validates the whole file first (every problem listed at once), then stores
it, republishes the catalog for kiosks and moves the deadlines it changes, all in one
transaction, and writes an audit log entry naming the operating-system user.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import click

from shared_schema import SchemaError
from shared_schema.holidays import load_holiday_table
from tongban_cli.common import emit, fail, json_option


def register(server: click.Group) -> None:
    server.add_command(holidays)


@click.group()
def holidays() -> None:
    """Holiday tables (节假日安排) that override chinese-calendar for their years."""


@holidays.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_context
def import_cmd(ctx: click.Context, path: Path, as_json: bool) -> None:
    """Import a year's table from a YAML or JSON file (replaces that year's table)."""
    from ..cli import _db, _require_schema, make_app
    from . import audit
    from .holiday_import import import_table

    try:
        table = load_holiday_table(path)
    except SchemaError as exc:
        fail(str(exc), as_json, **exc.to_dict())
        return
    app = make_app(ctx)
    _require_schema(app, as_json)
    actor = f"cli:{getpass.getuser()}"
    with _db(app).transaction(write=True) as session:
        report = import_table(session, table, actor)
        who = audit.Who(None, actor, "cli", None, None)
        audit.record(session, who, "holidays_import", detail=report.audit_detail())
    emit(report.to_dict(), as_json, _import_text)


def _import_text(r: dict[str, Any]) -> str:
    lines = [
        f"holiday table {r['year']} {'replaced' if r['replaced'] else 'imported'}"
        + (" (EXAMPLE data, not official)" if r["example"] else "")
        + f"; catalog ETag {r['catalog_etag'] or '(no catalog loaded yet)'}",
        f"{len(r['changed'])} stored deadline(s) moved",
    ]
    lines += [f"  {c['receipt_no']} {c['field']}: {c['old']} -> {c['new']}" for c in r["changed"]]
    lines += [f"  {no}: not recomputed, its matter is no longer in the catalog" for no in r["skipped"]]
    return "\n".join(lines)


@holidays.command("list")
@json_option
@click.pass_context
def list_cmd(ctx: click.Context, as_json: bool) -> None:
    """The imported tables, and which source each nearby year is counted from."""
    from ..cli import _db, make_app
    from ..holidays import loaded_tables

    app = make_app(ctx)
    with _db(app).transaction() as session:
        rows = [
            {"year": r.year, "notice": r.notice, "example": r.example,
             "imported_at": r.imported_at.isoformat(), "imported_by": r.imported_by}
            for r in loaded_tables(session)
        ]  # fmt: skip
    emit(rows, as_json, _list_text)


def _list_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no holiday tables imported (chinese-calendar only)"
    return "\n".join(
        f"{r['year']}  {'EXAMPLE ' if r['example'] else ''}{r['notice']}  "
        f"(imported {r['imported_at']} by {r['imported_by']})"
        for r in rows
    )
