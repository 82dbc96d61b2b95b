"""Jinja filters: China time, Chinese dates, masked ID numbers, unofficial-calendar warnings."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from shared_schema.identifiers import mask_id_number

from ..workdays import CHINA_TZ, calendar


def china_time(value: datetime | str | None) -> str:
    """Beijing time to the minute; also for times kept as ISO text (a stored manifest's)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


def china_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(CHINA_TZ).date()
    return value.isoformat()


def calendar_warning(value: date | None) -> str:
    """A loud note when ``value`` falls in a year counted without an official holiday table."""
    if value is None:
        return ""
    source = calendar().source(value.year).value
    if source == "example":
        return f"{value.year} 年节假日为示例数据（非官方），此期限仅供参考"
    if source == "weekdays":
        return f"{value.year} 年尚无官方节假日安排，此期限按周一至周五估算"
    return ""


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["cst"] = china_time
    app.jinja_env.filters["cdate"] = china_date
    app.jinja_env.filters["calendar_warning"] = calendar_warning
    app.jinja_env.filters["mask_id"] = lambda v: mask_id_number(v or "")
