"""SQL pieces the dashboard aggregates with, the same on SQLite and PostgreSQL.

``china_day(column)`` is the China calendar day of a UTC timestamp column, computed in
the database so counts over 100,000 cases never bring the rows into Python: PostgreSQL
``(col AT TIME ZONE INTERVAL '+08:00')::date``; SQLite ``date(col, '+8 hours')`` (China
has had no daylight saving since 1991). A fixed offset, not the zone name: PostgreSQL
looks up a named zone's rules per row, which made the conversions most of a whole-city
count (measured: ~2.6 µs a row against ~1 µs on the loaded bench machine).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, bindparam, case, null
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class china_day(FunctionElement[Any]):
    type = Date()
    inherit_cache = True
    name = "china_day"


@compiles(china_day, "postgresql")
def _pg(element: china_day, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"CAST(({compiler.process(column, **kw)} AT TIME ZONE INTERVAL '+08:00') AS DATE)"


@compiles(china_day, "sqlite")
def _sqlite(element: china_day, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"date({compiler.process(column, **kw)}, '+8 hours')"


class day_lookup(FunctionElement[Any]):
    """``days[day - first]``: a value per day from ``first`` on (``None`` past the end or for
    a day not given), looked up per row in O(1). PostgreSQL indexes a ``DATE[]`` literal; SQLite
    (small data, tests) walks a ``CASE``. A walk that stops after a page of cases
    looks it up a few hundred times; a ``VALUES`` scan per row cost milliseconds each."""

    type = Date()
    inherit_cache = False  # the day list is part of the statement

    def __init__(self, day: Any, first: date, days: list[date | None]) -> None:
        self.first, self.days = first, days
        super().__init__(day)


@compiles(day_lookup, "postgresql")
def _pg_lookup(element: day_lookup, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    array = bindparam(None, element.days, type_=ARRAY(Date()))
    first = bindparam(None, element.first, type_=Date())
    offset = f"{compiler.process(day, **kw)} - {compiler.process(first, **kw)}"
    return f"({compiler.process(array, **kw)})[({offset}) + 1]"


@compiles(day_lookup, "sqlite")
def _sqlite_lookup(element: day_lookup, compiler: Any, **kw: Any) -> str:
    (day,) = list(element.clauses)
    rows = {element.first + timedelta(days=i): d for i, d in enumerate(element.days) if d is not None}
    return compiler.process(case(rows, value=day) if rows else null(), **kw)
