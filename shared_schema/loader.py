"""Load a catalog from its data folder, validating every file on the way in.

Layout (see docs/catalog-data.md)::

    catalog.yaml          version, city
    divisions.csv         code,name,level,parent_code
    departments.yaml      list of departments
    stations.yaml         list of stations
    matters/*.yaml        one matter (with its guide) per file

Errors name the file, the record and the field, and list every problem of the file.
"""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .catalog import Catalog, CatalogVersion, Matter
from .errors import FieldProblem, SchemaError
from .geography import Department, Division, Station

DEMO_CATALOG = "jincheng"


def demo_catalog_dir() -> Path:
    """The packaged demo catalog of 晋城市."""
    return Path(str(resources.files("shared_schema") / "data" / DEMO_CATALOG))


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise SchemaError([FieldProblem("(file)", "file not found")], source=str(path)) from None
    except yaml.YAMLError as exc:
        raise SchemaError([FieldProblem("(file)", f"not valid YAML: {exc}")], source=str(path)) from None


def _parse_list(path: Path, model: type, key: str) -> list[Any]:
    """Each item validated alone, so the error says which record is bad."""
    data = _read_yaml(path)
    if not isinstance(data, list):
        raise SchemaError([FieldProblem("(root)", "expected a list")], source=str(path))
    items, problems = [], []
    for index, raw in enumerate(data):
        label = f"{key} {raw.get('code', index) if isinstance(raw, dict) else index}"
        try:
            items.append(model.parse(raw, source=str(path), context=label))
        except SchemaError as exc:
            problems.extend(FieldProblem(f"{label}: {p.path}", p.message, p.value) for p in exc.problems)
    if problems:
        raise SchemaError(problems, source=str(path), model=model.__name__)
    return items


def load_divisions(path: Path) -> list[Division]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    items, problems = [], []
    for line, row in enumerate(rows, start=2):
        row = {k: (v or None) for k, v in row.items() if k}
        try:
            items.append(Division.parse(row, source=str(path), context=f"line {line}"))
        except SchemaError as exc:
            problems.extend(FieldProblem(f"line {line}: {p.path}", p.message) for p in exc.problems)
    if problems:
        raise SchemaError(problems, source=str(path), model="Division")
    return items


def load_matter(path: Path) -> Matter:
    raw = _read_yaml(path)
    code = raw.get("code", "?") if isinstance(raw, dict) else "?"
    return Matter.parse(raw, source=str(path), context=f"matter {code}")


def load_catalog(folder: Path | str | None = None) -> Catalog:
    """Load and cross-check a catalog folder (default: the packaged demo catalog)."""
    root = Path(folder) if folder else demo_catalog_dir()
    version = CatalogVersion.parse(_read_yaml(root / "catalog.yaml"), source=str(root / "catalog.yaml"))
    matter_files = sorted((root / "matters").glob("*.yaml"))
    if not matter_files:
        raise SchemaError([FieldProblem("matters", "no matter files")], source=str(root))
    problems: list[FieldProblem] = []
    matters: list[Matter] = []
    unparsed: set[str] = set()  # matter codes whose file failed: not "unknown" elsewhere
    for path in matter_files:
        try:
            matters.append(load_matter(path))
        except SchemaError as exc:
            unparsed.add(exc.context.removeprefix("matter "))
            problems.extend(
                FieldProblem(f"{path.name} [{exc.context}] {p.path}", p.message) for p in exc.problems
            )
    parts: dict[str, Any] = {"divisions": [], "departments": [], "stations": []}
    loaders = {
        "divisions": lambda: load_divisions(root / "divisions.csv"),
        "departments": lambda: _parse_list(root / "departments.yaml", Department, "department"),
        "stations": lambda: _parse_list(root / "stations.yaml", Station, "station"),
    }
    failed_parts: list[SchemaError] = []
    for name, load in loaders.items():
        try:
            parts[name] = load()
        except SchemaError as exc:
            failed_parts.append(exc)
    if failed_parts and not problems and len(failed_parts) == 1:
        raise failed_parts[0]  # one bad file: its own error names it best
    for exc in failed_parts:
        problems.extend(FieldProblem(f"{Path(exc.source).name}: {p.path}", p.message) for p in exc.problems)
    body = {"version": version, **parts, "matters": matters}
    if not failed_parts:
        # Cross-check what did parse, so bad fields and bad references show in one run.
        unchecked = Catalog.model_construct(**body)
        problems.extend(
            FieldProblem("references", text)
            for text in unchecked.reference_problems()
            if text.rpartition("unknown matter ")[2] not in unparsed
        )
    if problems:
        raise SchemaError(problems, source=str(root), context="catalog", model="Catalog")
    return Catalog.parse(body, source=str(root), context="catalog")
