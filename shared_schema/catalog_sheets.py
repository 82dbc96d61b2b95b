"""The catalog as a workbook (XLSX), so an office can prepare it in a spreadsheet.

One sheet per kind of record; row 1 holds the field keys (what is read), row 2 their
Chinese names (for people), data from row 3. A matter's materials, steps, fees,
entrustments and county overrides sit on their own sheets, tied to it by ``matter_code``.
Lists of words go one per line inside a cell; recognition hints as JSON.

Reading checks every row of every sheet before saying anything, and names each problem
by sheet, row and column (``材料!C7``), so a bad sheet is fixed in one pass (一次性告知).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from .catalog import (
    Catalog,
    CatalogVersion,
    CountyOverride,
    Entrustment,
    Fee,
    Guide,
    MaterialRequirement,
    Matter,
    ProcessStep,
)
from .catalog_diff import MATERIAL_LABELS, MATTER_LABELS, guide_label
from .errors import FieldProblem, SchemaError
from .geography import Department, Division, Station

MAX_XLSX_BYTES = 5_000_000
"""A city's catalog is some hundred KB as a workbook; more is not a catalog."""

LINES = "lines"  # a list of words, one per line in the cell
JSON = "json"  # a nested object, as JSON text


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = ""  # "", LINES or JSON


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    child: str | None = None  # for a matter's child sheet: where its rows go in the matter

    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


def _cols(
    model: type, labels: dict[str, str], lines: Iterable[str] = (), json_cols: Iterable[str] = ()
) -> tuple[Column, ...]:
    out = []
    for name, info in model.model_fields.items():
        kind = LINES if name in lines else JSON if name in json_cols else ""
        out.append(Column(name, labels.get(name) or info.description or name, kind))
    return tuple(out)


MATTER_CODE_COL = Column("matter_code", "事项编码")
_GUIDE_SCALARS = [n for n in Guide.model_fields if n not in ("materials", "process", "fees")]
_MATTER_SCALARS = [n for n in Matter.model_fields if n not in ("guide", "entrustments", "county_overrides")]
_MATTER_LINES = {"result_kinds", "delivery_options", "applicant_kinds", "keywords"}
_GUIDE_LINES = {"basis", "conditions", "faq"}

VERSION = Sheet(
    "版本",
    _cols(
        CatalogVersion,
        {"version": "版本号", "published_on": "发布日期", "city_code": "城市代码", "city_name": "城市"},
    ),
)
DIVISIONS = Sheet(
    "区划", _cols(Division, {"code": "区划代码", "name": "名称", "level": "级别", "parent_code": "上级"})
)
DEPARTMENTS = Sheet(
    "部门",
    _cols(Department, {"code": "部门编码", "name": "名称", "division_code": "区划代码"}, lines=("matters",)),
)
STATIONS = Sheet(
    "服务站",
    _cols(
        Station,
        {
            "code": "服务站编码",
            "name": "名称",
            "division_code": "区划代码",
            "address": "地址",
            "phone": "电话",
            "hours": "时间",
        },
    ),
)
MATTERS = Sheet(
    "事项",
    tuple(
        [
            Column(
                n, MATTER_LABELS.get(n, "事项编码" if n == "code" else n), LINES if n in _MATTER_LINES else ""
            )
            for n in _MATTER_SCALARS
        ]
        + [Column(f"guide.{n}", guide_label(n), LINES if n in _GUIDE_LINES else "") for n in _GUIDE_SCALARS]
    ),
)
MATERIALS = Sheet(
    "材料",
    (
        MATTER_CODE_COL,
        *_cols(MaterialRequirement, {"code": "材料编码", **MATERIAL_LABELS}, json_cols=("hints",)),
    ),
    child="guide.materials",
)
PROCESS = Sheet(
    "流程",
    (MATTER_CODE_COL, *_cols(ProcessStep, {"name": "环节", "description": "说明"})),
    child="guide.process",
)
FEES = Sheet(
    "收费",
    (MATTER_CODE_COL, *_cols(Fee, {"item": "收费项目", "amount_yuan": "金额（元）", "basis": "依据"})),
    child="guide.fees",
)
ENTRUSTMENTS = Sheet(
    "委托",
    (
        MATTER_CODE_COL,
        *_cols(Entrustment, {"department": "受托部门", "on_behalf_of": "委托部门"}, lines=("on_behalf_of",)),
    ),
    child="entrustments",
)
OVERRIDES = Sheet(
    "县区差异",
    (MATTER_CODE_COL, *_cols(CountyOverride, {"division_code": "县区代码"})),
    child="county_overrides",
)
PLACES = (DIVISIONS, DEPARTMENTS, STATIONS)
CHILDREN = (MATERIALS, PROCESS, FEES, ENTRUSTMENTS, OVERRIDES)
SHEETS = (VERSION, *PLACES, MATTERS, *CHILDREN)
FIRST_ROW = 3


# ---------------------------------------------------------------- writing


def catalog_to_xlsx(catalog: Catalog) -> bytes:
    """The whole catalog (holidays aside: the server keeps those) as one workbook."""
    data = catalog.to_json_dict()
    book = Workbook()
    book.remove(book.active)
    rows: dict[str, list[dict[str, Any]]] = {
        VERSION.name: [data["version"]],
        DIVISIONS.name: data["divisions"],
        DEPARTMENTS.name: data["departments"],
        STATIONS.name: data["stations"],
        MATTERS.name: [_flatten_matter(m) for m in data["matters"]],
    }
    for sheet in CHILDREN:
        rows[sheet.name] = [
            {"matter_code": m["code"], **item} for m in data["matters"] for item in _get(m, sheet.child or "")
        ]
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append(sheet.keys())
        ws.append([c.label for c in sheet.columns])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for record in rows[sheet.name]:
            ws.append([_cell(record.get(c.key), c.kind) for c in sheet.columns])
        ws.freeze_panes = "B3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _flatten_matter(matter: dict[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in matter.items() if k != "guide"}
    flat.update({f"guide.{k}": v for k, v in matter["guide"].items()})
    return flat


def _get(record: dict[str, Any], dotted: str) -> list[dict[str, Any]]:
    node: Any = record
    for part in dotted.split("."):
        node = node.get(part, []) if isinstance(node, dict) else []
    return node


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == LINES:
        return "\n".join(str(v) for v in value)
    if kind == JSON or isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class SheetProblem:
    """One bad cell (or row, or sheet): where, in the spreadsheet's own terms, and what."""

    sheet: str
    row: int | None
    column: str | None  # letter, e.g. "C"
    key: str | None  # the field key in row 1, e.g. "name"
    message: str

    def __str__(self) -> str:
        where = self.sheet + (f"!{self.column or ''}{self.row}" if self.row else "")
        return f"{where}{f' ({self.key})' if self.key else ''}: {self.message}"


@dataclass
class CatalogSheetError(ValueError):
    problems: list[SheetProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"invalid catalog workbook ({len(self.problems)} problem(s)):\n" + "\n".join(
            f"  - {p}" for p in self.problems
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": "catalog_sheet_error",
            "problems": [
                {"sheet": p.sheet, "row": p.row, "column": p.column, "key": p.key, "message": p.message}
                for p in self.problems
            ],
        }


@dataclass
class _Row:
    sheet: Sheet
    number: int
    values: dict[str, Any]


class _Reader:
    """Collects every problem while turning rows into model input."""

    def __init__(self) -> None:
        self.problems: list[SheetProblem] = []

    def add(self, sheet: Sheet, row: int | None, key: str | None, message: str) -> None:
        keys = sheet.keys()
        column = get_column_letter(keys.index(key) + 1) if key in keys else None
        self.problems.append(SheetProblem(sheet.name, row, column, key, message))

    def rows(self, book: Any, sheet: Sheet) -> list[_Row]:
        if sheet.name not in book.sheetnames:
            self.add(sheet, None, None, "sheet missing")
            return []
        ws = book[sheet.name]
        header = [
            str(c).strip() if c is not None else ""
            for c in next(ws.iter_rows(max_row=1, values_only=True), ())
        ]
        known = set(sheet.keys())
        for index, name in enumerate(header, start=1):
            if name and name not in known:
                self.problems.append(
                    SheetProblem(sheet.name, 1, get_column_letter(index), name, "unknown column")
                )
        out = []
        for number, cells in enumerate(ws.iter_rows(min_row=FIRST_ROW, values_only=True), start=FIRST_ROW):
            values: dict[str, Any] = {}
            for name, raw in zip(header, cells, strict=False):
                if name in known and raw is not None and str(raw).strip() != "":
                    column = next(c for c in sheet.columns if c.key == name)
                    value = self._value(sheet, number, column, raw)
                    if value is not _BAD:  # already told; the model must not report it again
                        values[name] = value
            if values:
                out.append(_Row(sheet, number, values))
        return out

    def _value(self, sheet: Sheet, row: int, column: Column, raw: Any) -> Any:
        if column.kind == LINES:
            return [line.strip() for line in str(raw).splitlines() if line.strip()]
        if column.kind == JSON:
            try:
                return json.loads(str(raw))
            except json.JSONDecodeError as exc:
                self.add(sheet, row, column.key, f"not valid JSON: {exc.msg}")
                return _BAD
        if isinstance(raw, datetime):
            return raw.date().isoformat()
        if isinstance(raw, date):
            return raw.isoformat()
        if isinstance(raw, float):
            return int(raw) if raw.is_integer() else str(raw)
        if isinstance(raw, str):
            return _BOOL_WORDS.get(raw.strip(), raw.strip())
        return raw

    def validate(self, model: type, data: dict[str, Any], where: _Row, locate: Any = None) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = tuple(err.get("loc", ()))
                sheet, row, key = (locate or _plain_locate)(where, loc)
                self.add(sheet, row, key, str(err.get("msg", "invalid")))
            return None


_BAD = object()
_BOOL_WORDS = {"是": True, "否": False, "TRUE": True, "FALSE": False, "true": True, "false": False}


def _plain_locate(where: _Row, loc: tuple[Any, ...]) -> tuple[Sheet, int, str | None]:
    return where.sheet, where.number, str(loc[0]) if loc else None


def catalog_from_xlsx(raw: bytes) -> Catalog:
    """Read a workbook written by :func:`catalog_to_xlsx` (or by hand in its layout).

    Raises :class:`CatalogSheetError` listing every problem with its sheet, row and column.
    """
    reader = _Reader()
    if len(raw) > MAX_XLSX_BYTES:
        raise CatalogSheetError(
            [SheetProblem("(file)", None, None, None, f"larger than {MAX_XLSX_BYTES} bytes")]
        )
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, ValueError… for a non-workbook
        raise CatalogSheetError(
            [SheetProblem("(file)", None, None, None, f"not an XLSX workbook: {exc}")]
        ) from None
    version_rows = reader.rows(book, VERSION)
    version = (
        reader.validate(CatalogVersion, version_rows[0].values, version_rows[0]) if version_rows else None
    )
    if not version_rows and VERSION.name in book.sheetnames:
        reader.add(VERSION, FIRST_ROW, None, "the version row is empty")
    place_rows = {sheet.name: reader.rows(book, sheet) for sheet in PLACES}
    places = {
        sheet.name: [reader.validate(model, row.values, row) for row in place_rows[sheet.name]]
        for sheet, model in zip(PLACES, (Division, Department, Station), strict=True)
    }
    matters, matter_rows = _read_matters(reader, book)
    book.close()
    if not reader.problems:
        body = {
            "version": version,
            "divisions": places[DIVISIONS.name],
            "departments": places[DEPARTMENTS.name],
            "stations": places[STATIONS.name],
            "matters": matters,
        }
        _reference_problems(reader, Catalog.model_construct(**body), matter_rows, place_rows)
        if not reader.problems:
            return Catalog.model_validate(body)
    raise CatalogSheetError(reader.problems)


def _read_matters(reader: _Reader, book: Any) -> tuple[list[Matter], dict[str, _Row]]:
    rows = reader.rows(book, MATTERS)
    by_code: dict[str, _Row] = {}
    for row in rows:
        code = str(row.values.get("code", ""))
        if code in by_code:
            reader.add(
                MATTERS, row.number, "code", f"matter code {code} repeats (row {by_code[code].number})"
            )
        by_code.setdefault(code, row)
    children: dict[tuple[str, str], list[_Row]] = {}
    for sheet in CHILDREN:
        for row in reader.rows(book, sheet):
            code = str(row.values.pop("matter_code", ""))
            if code not in by_code:
                reader.add(
                    sheet, row.number, "matter_code", f"no matter {code or '(empty)'} on sheet {MATTERS.name}"
                )
                continue
            children.setdefault((code, sheet.name), []).append(row)
    matters = []
    for code, row in by_code.items():
        data: dict[str, Any] = {"guide": {}}
        for key, value in row.values.items():
            if key.startswith("guide."):
                data["guide"][key.removeprefix("guide.")] = value
            else:
                data[key] = value
        for sheet in CHILDREN:
            items = [child.values for child in children.get((code, sheet.name), [])]
            if sheet.child == "entrustments" or sheet.child == "county_overrides":
                data[sheet.child] = items
            else:
                data["guide"][(sheet.child or "").removeprefix("guide.")] = items
        located = reader.validate(Matter, data, row, _matter_locator(children, code))
        if located is not None:
            matters.append(located)
    return matters, by_code


def _matter_locator(children: dict[tuple[str, str], list[_Row]], code: str) -> Any:
    """Map an error inside one matter to the sheet row and column it came from."""

    def locate(where: _Row, loc: tuple[Any, ...]) -> tuple[Sheet, int, str | None]:
        for sheet in CHILDREN:
            path = tuple((sheet.child or "").split("."))
            if loc[: len(path)] == path:
                rest = loc[len(path) :]
                rows = children.get((code, sheet.name), [])
                if rest and isinstance(rest[0], int) and rest[0] < len(rows):
                    return sheet, rows[rest[0]].number, str(rest[1]) if len(rest) > 1 else None
                return where.sheet, where.number, None  # the list as a whole (e.g. no materials)
        if loc[:1] == ("guide",) and len(loc) > 1:
            return where.sheet, where.number, f"guide.{loc[1]}"
        return where.sheet, where.number, str(loc[0]) if loc else None

    return locate


def _reference_problems(
    reader: _Reader, catalog: Catalog, matter_rows: dict[str, _Row], place_rows: dict[str, list[_Row]]
) -> None:
    """References between sheets (a department's matters, an override's county…), placed on
    the row that holds the reference."""
    rows_of = {
        kind: (sheet, {str(r.values.get("code")): r.number for r in place_rows[sheet.name]})
        for kind, sheet in (("department", DEPARTMENTS), ("station", STATIONS))
    }
    for text in catalog.reference_problems():
        kind, _, rest = text.partition(" ")
        code = rest.split(":", 1)[0]
        if kind == "matter" and code in matter_rows:
            reader.add(MATTERS, matter_rows[code].number, None, text)
        elif kind in rows_of and code in rows_of[kind][1]:
            sheet, numbers = rows_of[kind]
            key = "matters" if "unknown matter" in text else "division_code"
            reader.add(sheet, numbers[code], key, text)
        else:
            reader.add(MATTERS, None, None, text)


def catalog_from_file(raw: bytes, filename: str) -> Catalog:
    """A catalog file as an office sends it: ``.xlsx`` (a workbook) or ``.json``.

    Raises :class:`CatalogSheetError` (workbook) or :class:`SchemaError` (JSON), each
    listing every problem at once.
    """
    if filename.lower().endswith(".xlsx") or raw[:2] == b"PK":
        return catalog_from_xlsx(raw)
    if len(raw) > MAX_XLSX_BYTES:
        raise SchemaError([FieldProblem("(file)", f"larger than {MAX_XLSX_BYTES} bytes")], source=filename)
    return Catalog.parse_json(raw, source=filename)


def catalog_to_json(catalog: Catalog) -> bytes:
    return json.dumps(catalog.to_json_dict(), ensure_ascii=False, indent=2).encode("utf-8")
