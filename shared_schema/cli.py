"""``tongban schema …``: look at the catalog and export the JSON Schemas."""

from __future__ import annotations

from pathlib import Path

import click

from tongban_cli.common import catalog_dir_option, emit, fail, home_option, json_option

from .enums import FrequencyTier
from .errors import SchemaError
from .export import export_schemas
from .loader import load_catalog


@click.group()
@home_option("schema")
def schema() -> None:
    """Shared schema: catalog and JSON Schema export."""


@schema.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@json_option
def export_cmd(folder: str, as_json: bool) -> None:
    """Write one JSON Schema file per shared model into FOLDER."""
    paths = export_schemas(Path(folder))
    emit([str(p) for p in paths], as_json, lambda ps: f"wrote {len(ps)} schemas to {folder}")


@schema.command("catalog")
@catalog_dir_option("--path")
@json_option
def catalog_cmd(catalog_dir: str | None, as_json: bool) -> None:
    """Validate and print a catalog (default: the demo catalog)."""
    try:
        catalog = load_catalog(catalog_dir)
    except SchemaError as exc:
        fail(str(exc), as_json, **exc.to_dict())
        return
    if as_json:
        emit(catalog.to_json_dict(), True)
        return
    click.echo(
        f"{catalog.version.city_name} 市域通办事项清单 {catalog.version.version} "
        f"({len(catalog.matters)} matters, {len(catalog.departments)} departments, "
        f"{len(catalog.stations)} stations, {len(catalog.divisions)} divisions)"
    )
    tiers = list(FrequencyTier)  # high, medium, low: the order the standard lists them
    for matter in sorted(catalog.matters, key=lambda m: (tiers.index(m.frequency), m.domain, m.code)):
        click.echo(
            f"  {matter.code:<18} {matter.frequency.value:<6} {matter.handling_mode.value:<19} "
            f"{matter.domain:<6} {matter.name}"
        )
