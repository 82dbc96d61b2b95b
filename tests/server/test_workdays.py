"""Working days with chinese-calendar's real 2026 holidays and make-up working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from sync_server.workdays import (
    add_working_days,
    calendar_knows,
    count_working_days,
    is_working_day,
    local_date,
    transfer_deadline,
    working_days_left,
)

CST = timezone(timedelta(hours=8))


def test_2026_holidays_and_makeup_days():
    assert calendar_knows(date(2026, 10, 1))
    assert not is_working_day(date(2026, 2, 16))  # Spring Festival
    assert is_working_day(date(2026, 2, 14))  # make-up Saturday
    assert is_working_day(date(2026, 2, 28))  # make-up Saturday
    assert not is_working_day(date(2026, 10, 5))  # National Day
    assert is_working_day(date(2026, 9, 20))  # make-up Sunday
    assert is_working_day(date(2026, 10, 10))  # make-up Saturday


@pytest.mark.parametrize(
    ("collected", "deadline"),
    [
        (datetime(2026, 1, 5, 10, 0, tzinfo=CST), date(2026, 1, 7)),  # Monday → Wednesday
        (datetime(2026, 1, 9, 16, 0, tzinfo=CST), date(2026, 1, 13)),  # Friday → Tuesday
        (datetime(2026, 2, 13, 9, 0, tzinfo=CST), date(2026, 2, 24)),  # Sat 14 counts, then the festival
        (datetime(2026, 9, 30, 9, 0, tzinfo=CST), date(2026, 10, 9)),  # National Day week
        (datetime(2026, 10, 8, 9, 0, tzinfo=CST), date(2026, 10, 10)),  # make-up Saturday counts
        (datetime(2026, 1, 4, 17, 0, tzinfo=UTC), date(2026, 1, 7)),  # 01:00 on the 5th in China
    ],
)
def test_transfer_deadline(collected, deadline):
    assert transfer_deadline(collected) == deadline


def test_add_and_count_agree_and_exclusions():
    start = date(2026, 9, 28)
    for n in range(0, 15):
        due = add_working_days(start, n)
        assert count_working_days(start, due) == n
    assert add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 8)  # instant case on a holiday
    stage = [(date(2026, 1, 6), date(2026, 1, 8))]  # a special stage excluded from the limit
    assert add_working_days(date(2026, 1, 5), 2, stage) == date(2026, 1, 12)
    assert count_working_days(date(2026, 1, 5), date(2026, 1, 12), stage) == 2
    assert working_days_left(date(2026, 1, 7), date(2026, 1, 9)) == -2


def test_unknown_year_falls_back_to_weekdays():
    assert not calendar_knows(date(2099, 1, 1))
    assert is_working_day(date(2099, 1, 2)) and not is_working_day(date(2099, 1, 3))


def test_naive_datetime_refused():
    with pytest.raises(ValueError):
        local_date(datetime(2026, 1, 1))
