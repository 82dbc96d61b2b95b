"""A year's official holiday table (国务院办公厅关于某年部分节假日安排的通知).

chinese-calendar only knows the years up to its last release, so a city loads each new
year's notice itself: the holidays (放假) as named date ranges and the make-up working
days (调休上班) on weekends. The file is YAML or JSON; every problem in it is reported at
once, because the person fixing it has the printed notice in front of them.

An ``example`` table is made-up data for tests and demos; it is used like any other table
but never counts as official, so the workspace keeps warning about its year.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, model_validator

from .base import SchemaModel
from .errors import FieldProblem, SchemaError

# Years a table may describe: from the first year chinese-calendar knows to a far but
# finite horizon, so a typo like 20277 is an error and not a table nobody can use.
FIRST_TABLE_YEAR = 2004
LAST_TABLE_YEAR = 2199
MAX_FILE_BYTES = 64_000
PROBLEM_SEPARATOR = "; "


class HolidayRange(SchemaModel):
    """One holiday (e.g. 春节) and the days off it gives, both ends included."""

    name: str = Field(min_length=1, max_length=20, description="节日名称, e.g. 春节")
    first: date = Field(description="first day off")
    last: date = Field(description="last day off (inclusive)")

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


class HolidayTable(SchemaModel):
    """The holidays and make-up working days of one year, with the notice they come from."""

    year: int = Field(ge=FIRST_TABLE_YEAR, le=LAST_TABLE_YEAR)
    notice: str = Field(
        min_length=4, max_length=200, description="source, e.g. 国办发明电〔2026〕X号 and its date"
    )
    example: bool = Field(False, description="made-up data for tests: never counts as official")
    holidays: list[HolidayRange] = Field(min_length=1, description="放假 ranges, in date order")
    workdays: list[date] = Field(default_factory=list, description="调休上班: weekend days worked")

    @model_validator(mode="after")
    def _consistent(self) -> HolidayTable:
        problems = self.problems()
        if problems:
            raise ValueError(PROBLEM_SEPARATOR.join(problems))
        return self

    def problems(self) -> list[str]:
        """Every inconsistency, each as one sentence (dates outside the year, overlaps…)."""
        out: list[str] = []
        for i, item in enumerate(self.holidays):
            where = f"holidays[{i}] {item.name}"
            if item.last < item.first:
                out.append(f"{where}: last {item.last} is before first {item.first}")
            for end in (item.first, item.last):
                if end.year != self.year:
                    out.append(f"{where}: {end} is not in {self.year}")
            if (item.last - item.first).days > 31:
                out.append(f"{where}: longer than a month")
        for prev, item in zip(self.holidays, self.holidays[1:], strict=False):
            if item.first <= prev.last:
                out.append(f"holidays {prev.name} and {item.name}: not in date order or overlapping")
        off = {d for item in self.holidays if item.first <= item.last for d in item.days()}
        seen: set[date] = set()
        for day in self.workdays:
            if day.year != self.year:
                out.append(f"workdays: {day} is not in {self.year}")
            if day in seen:
                out.append(f"workdays: {day} listed twice")
            seen.add(day)
            if day in off:
                out.append(f"workdays: {day} is also a holiday")
            if day.weekday() < 5:
                out.append(f"workdays: {day} is a weekday, not a make-up working day")
        if self.workdays != sorted(self.workdays):
            out.append("workdays: not in date order")
        return out

    @property
    def official(self) -> bool:
        return not self.example

    def days_off(self) -> dict[date, str]:
        """Each holiday day and the holiday's name."""
        return {d: item.name for item in self.holidays for d in item.days()}


def parse_holiday_table(raw: bytes | str, *, source: str = "") -> HolidayTable:
    """A table from YAML or JSON text (JSON first: it is also YAML, but stricter)."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_FILE_BYTES:
            raise _error(f"file larger than {MAX_FILE_BYTES} bytes", source)
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _error("not UTF-8 text", source) from None
    data: Any
    try:
        data = json.loads(raw)
    except ValueError:
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise _error(f"neither JSON nor YAML: {exc}", source) from None
    if not isinstance(data, dict):
        raise _error("expected a mapping with year, notice, holidays, workdays", source)
    try:
        return HolidayTable.parse(data, source=source)
    except SchemaError as exc:
        raise _one_per_problem(exc) from None


def load_holiday_table(path: Path | str) -> HolidayTable:
    path = Path(path)
    return parse_holiday_table(path.read_bytes(), source=str(path))


def example_table_path(year: int = 2027) -> Path:
    """The made-up table shipped for tests and demos (labelled ``example: true``)."""
    return Path(__file__).with_name("data") / "holidays" / f"{year}-example.yaml"


def _one_per_problem(exc: SchemaError) -> SchemaError:
    """The table check's sentences as separate problems (pydantic joins them into one)."""
    problems: list[FieldProblem] = []
    for problem in exc.problems:
        text = problem.message.removeprefix("Value error, ")
        parts = text.split(PROBLEM_SEPARATOR) if text != problem.message else [problem.message]
        problems += [FieldProblem(problem.path, part, problem.value) for part in parts]
    return SchemaError(problems, source=exc.source, context=exc.context, model=exc.model, extra=exc.extra)


def _error(message: str, source: str) -> SchemaError:
    return SchemaError([FieldProblem("(file)", message)], source=source, model="HolidayTable")
