"""``tongban server catalog …``: versions, diff, export and import (JSON or XLSX), publish.

The same service as the workspace's catalog pages (sync_server/catalog_versions.py): an import
becomes a draft, listing every problem of a bad file at once (sheet, row and column for a
workbook); ``publish`` needs a reason; both are written to the audit log under the
operating-system user.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import click

from shared_schema import SchemaError
from shared_schema.catalog_sheets import (
    CatalogSheetError,
    catalog_from_file,
    catalog_to_json,
    catalog_to_xlsx,
)
from tongban_cli.common import emit, fail, json_option

from .. import catalog_versions as versions
from ..errors import ApiError
from . import audit


def register(server: click.Group) -> None:
    server.add_command(catalog)


@click.group()
def catalog() -> None:
    """Catalog versions (梳理清单): list, diff, export, import into a draft, publish."""


def _open(ctx: click.Context, as_json: bool) -> Any:
    from ..cli import _db, _require_schema, make_app

    app = make_app(ctx)
    _require_schema(app, as_json)
    return _db(app)


def _actor() -> str:
    return f"cli:{getpass.getuser()}"[:40]


def _audit(session: Any, action: str, detail: dict[str, Any]) -> None:
    audit.record(session, audit.Who(None, _actor(), "cli", None, None), action, detail=detail)


@catalog.command("versions")
@json_option
@click.pass_context
def versions_cmd(ctx: click.Context, as_json: bool) -> None:
    """Published versions, newest first, with who published each and why; open drafts."""
    with _open(ctx, as_json).transaction() as session:
        result = {
            "versions": [
                {
                    "version": r.version,
                    "published_on": r.published_on.isoformat(),
                    "current": r.is_current,
                    "published_by": r.published_by,
                    "reason": r.reason,
                    "based_on": r.based_on,
                }
                for r in versions.releases(session)
            ],
            "drafts": [
                {"id": d.id, "based_on": d.based_on, "source": d.source, "updated_by": d.updated_by}
                for d in versions.drafts(session)
            ],
        }
    emit(result, as_json, _versions_text)


def _versions_text(r: dict[str, Any]) -> str:
    lines = [
        f"{'*' if v['current'] else ' '} {v['version']}  {v['published_on']}  {v['published_by'] or '-'}: "
        f"{v['reason'] or '-'}"
        for v in r["versions"]
    ]
    lines += [f"  draft-{d['id']} (from {d['based_on']}; {d['source']})" for d in r["drafts"]]
    return "\n".join(lines)


@catalog.command("diff")
@click.argument("old")
@click.argument("new")
@json_option
@click.pass_context
def diff_cmd(ctx: click.Context, old: str, new: str, as_json: bool) -> None:
    """What changed from OLD to NEW (versions like 2026.01.01, or draft-N)."""
    try:
        with _open(ctx, as_json).transaction() as session:
            found = versions.diff(session, old, new)
    except ApiError as exc:
        fail(exc.message, as_json, error=exc.code)
        return
    emit(found.summary(), as_json)


@catalog.command("export")
@click.option("--version", "ref", default=None, help="Version or draft-N (default: the current version).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write; .xlsx gives a workbook, anything else JSON.")  # fmt: skip
@json_option
@click.pass_context
def export_cmd(ctx: click.Context, ref: str | None, output: Path, as_json: bool) -> None:
    """Write a catalog version as JSON or XLSX (edit it, then `catalog import`)."""
    try:
        with _open(ctx, as_json).transaction() as session:
            ref = ref or versions.current_version(session)
            found = versions.catalog_of(session, ref)
    except ApiError as exc:
        fail(exc.message, as_json, error=exc.code)
        return
    data = catalog_to_xlsx(found) if output.suffix.lower() == ".xlsx" else catalog_to_json(found)
    output.write_bytes(data)
    emit({"version": ref, "file": str(output), "bytes": len(data)}, as_json, f"{ref} written to {output}")


@catalog.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_context
def import_cmd(ctx: click.Context, path: Path, as_json: bool) -> None:
    """Read a JSON or XLSX catalog into a new draft (nothing is published yet)."""
    try:
        found = catalog_from_file(path.read_bytes(), path.name)
    except (CatalogSheetError, SchemaError) as exc:
        fail(str(exc), as_json, **exc.to_dict())
        return
    try:
        with _open(ctx, as_json).transaction(write=True) as session:
            draft = versions.import_draft(session, found, _actor(), path.name)
            changes = versions.diff(session, draft.based_on, f"draft-{draft.id}").summary()
            _audit(session, "catalog_import", {"draft": draft.id, "file": path.name[:100]})
            result = {"draft": f"draft-{draft.id}", "based_on": draft.based_on, "changes": changes}
    except ApiError as exc:
        fail(exc.message, as_json, error=exc.code)
        return
    emit(result, as_json, lambda r: f"{r['draft']} made from {path.name} (based on {r['based_on']})")


@catalog.command("publish")
@click.argument("draft")
@click.option("--reason", required=True, help="Why (kept in the change log).")
@json_option
@click.pass_context
def publish_cmd(ctx: click.Context, draft: str, reason: str, as_json: bool) -> None:
    """Publish DRAFT (draft-N or N) as the new current version; kiosks take it at their next sync."""
    from ..db import utcnow
    from ..workdays import local_date

    draft_id = draft.removeprefix("draft-")
    if not draft_id.isdigit():
        fail(f"not a draft: {draft} (use draft-N)", as_json)
        return
    try:
        with _open(ctx, as_json).transaction(write=True) as session:
            release = versions.publish(session, int(draft_id), _actor(), reason, local_date(utcnow()))
            _audit(session, "catalog_publish", {"draft": int(draft_id), "version": release.version})
            result = {"version": release.version, "etag": release.etag, "based_on": release.based_on}
    except ApiError as exc:
        fail(exc.message, as_json, error=exc.code)
        return
    emit(result, as_json, lambda r: f"catalog {r['version']} published (was {r['based_on']})")


def _add_tiers() -> None:
    from .tiers_cli import tiers_group

    catalog.add_command(tiers_group, "tiers")


_add_tiers()
