"""The kiosk warns before its transfer promise breaks (附录 A, 2 working days), on the
catalog's working-day calendar and a clock the test sets: holidays do not count."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk import i18n
from kiosk.visit.ports import QueueCounts
from kiosk.visit.transfer_watch import TransferWatch
from shared_schema import Catalog
from shared_schema.workcalendar import CHINA_TZ, WorkCalendar

COLLECTED = datetime(2026, 9, 30, 10, tzinfo=CHINA_TZ)  # the Wednesday before 国庆: due 10-09


@pytest.fixture(autouse=True)
def chinese():
    i18n.install("zh_CN")
    yield
    i18n.install("zh_CN")


def watch_at(catalog: Catalog, day: int, month: int = 10) -> TransferWatch:
    now = datetime(2026, month, day, 9, tzinfo=CHINA_TZ)
    return TransferWatch(WorkCalendar(catalog.holidays), clock=lambda: now)


def test_the_warning_counts_working_days_not_calendar_days(catalog: Catalog) -> None:
    waiting = QueueCounts(waiting=2, oldest_waiting_at=COLLECTED)
    assert watch_at(catalog, 30, 9).header_line(waiting) == ""  # collected today
    holiday = watch_at(catalog, 5)  # 国庆 holidays: two working days still left (Mon–Fri would say overdue)
    assert holiday.deadline(waiting).days_left == 2 and holiday.header_line(waiting) == ""
    assert watch_at(catalog, 8).header_line(waiting) == "⚠ 10-09前转报"
    assert watch_at(catalog, 8).assist_line(waiting) == (
        "本机最早一份待发送的材料须在 2026-10-09 前转报到办理部门（还剩 1 个工作日）。"
        "请检查网络并立即同步，或导出数据包。"
    )
    assert watch_at(catalog, 9).header_line(waiting) == "⚠ 10-09前转报"  # the due day itself
    late = watch_at(catalog, 10)  # a Saturday worked in lieu (调休): past the deadline
    assert late.header_line(waiting) == "⚠ 转报超期"
    assert late.assist_line(waiting).startswith("本机最早一份待发送的材料应在 2026-10-09 前转报")
    assert late.header_line(QueueCounts()) == late.assist_line(QueueCounts()) == ""  # nothing waits
