"""The public 好差评 results page (no login): per department, one month (9.1, 国办发〔2019〕51号).

``/public/ratings?month=2026-11``; without ``month``, the last full month. Counts only,
no personal data (``public_ratings.py``); the same headers and error page as the public
catalog.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Blueprint, Flask, render_template, request

from ..db import get_db, utcnow
from ..workdays import local_date
from . import public_ratings
from .errors import WorkspaceError
from .views_public_catalog import public_pages

bp = public_pages(Blueprint("public_ratings", __name__, url_prefix="/public/ratings"))
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_MONTH = date(2000, 1, 1)


def _month(text: str | None, today: date) -> date:
    """The month asked for (``YYYY-MM``, from 2000 to this month); none: the last full one."""
    this_month = today.replace(day=1)
    if not text:
        return (this_month - timedelta(days=1)).replace(day=1)
    match = _MONTH.match(text[:10])
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise WorkspaceError(f"month {text[:10]!r} is not YYYY-MM", "月份格式应为 2026-11", status=400)
    month = date(int(match.group(1)), int(match.group(2)), 1)
    if not FIRST_MONTH <= month <= this_month:
        raise WorkspaceError("month out of range", "只能查看已经开始的月份", status=400)
    return month


@bp.get("", endpoint="index")
def index():  # type: ignore[no-untyped-def]
    today = local_date(utcnow())
    month = _month(request.args.get("month"), today)
    with get_db().transaction() as session:
        rows = public_ratings.by_department(session, month)
    before = (month - timedelta(days=1)).replace(day=1)
    after = (month + timedelta(days=32)).replace(day=1)
    return render_template(
        "public/ratings.html",
        catalog=None,
        month=month,
        rows=rows,
        total=public_ratings.city_total(rows),
        before=before if before >= FIRST_MONTH else None,
        after=after if after <= today.replace(day=1) else None,
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
