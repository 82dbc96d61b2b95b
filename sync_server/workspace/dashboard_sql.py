"""SQL pieces the dashboard aggregates with, the same on SQLite and PostgreSQL.

``china_day(column)`` is the China calendar day of a UTC timestamp column, computed in
the database so counts over 100,000 cases never bring the rows into Python: PostgreSQL
``(col AT TIME ZONE 'Asia/Shanghai')::date``; SQLite ``date(col, '+8 hours')`` (China
has had no daylight saving since 1991).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class china_day(FunctionElement[Any]):
    type = Date()
    inherit_cache = True
    name = "china_day"


@compiles(china_day, "postgresql")
def _pg(element: china_day, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"CAST(({compiler.process(column, **kw)} AT TIME ZONE 'Asia/Shanghai') AS DATE)"


@compiles(china_day, "sqlite")
def _sqlite(element: china_day, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"date({compiler.process(column, **kw)}, '+8 hours')"
