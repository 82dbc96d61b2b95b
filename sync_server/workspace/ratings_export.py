"""好差评 export (国办发〔2019〕51号): the ratings of a period as XLSX (openpyxl) and JSON.

The level code is the rating's score, the national five levels (5 非常满意 … 1 非常不满意,
``shared_schema.forms.NATIONAL_LEVELS``); stage, channel and reasons keep their codes
beside their Chinese names so a provincial platform can map them. No applicant data
(name, ID number, phone) leaves in an export.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

COLUMNS: list[tuple[str, str, int]] = [
    ("evaluation_uuid", "评价编号", 38), ("receipt_no", "受理编号", 22), ("matter_code", "事项编码", 14),
    ("matter_name", "事项名称", 28), ("department_code", "办理部门编码", 16),
    ("department_name", "办理部门", 28), ("station_code", "服务站编码", 12), ("station_name", "服务站", 20),
    ("stage", "评价环节代码", 10), ("stage_name", "评价环节", 8), ("channel", "评价渠道代码", 10),
    ("channel_name", "评价渠道", 10), ("rated_at", "评价时间", 20), ("level_code", "评价等级代码", 8),
    ("level_name", "评价等级", 10), ("reason_names", "评价原因", 30), ("comment", "评价内容", 30),
    ("staff_name", "办结人员", 10), ("rectification", "整改状态", 10),
]  # fmt: skip
STANDARD = "国办发〔2019〕51号"


def document(
    records: list[dict[str, Any]], *, day_from: date | None, day_to: date | None,
    department_code: str | None, exported_at: datetime,
) -> dict[str, Any]:  # fmt: skip
    """The JSON export: what was asked (period, department) and every rating."""
    return {
        "standard": STANDARD,
        "levels": {"5": "非常满意", "4": "满意", "3": "基本满意", "2": "不满意", "1": "非常不满意"},
        "period": {
            "from": day_from.isoformat() if day_from else None,
            "to": day_to.isoformat() if day_to else None,
        },
        "department_code": department_code,
        "exported_at": exported_at.isoformat(),
        "count": len(records),
        "ratings": records,
    }


def to_json(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def to_xlsx(records: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "好差评"
    sheet.append([label for _, label, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        sheet.append([_cell(record[key]) for key, _, _ in COLUMNS])
    for cell, (_, _, width) in zip(sheet[1], COLUMNS, strict=True):
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value  # a resident's comment is never run as a formula
    return value
