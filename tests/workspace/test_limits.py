"""Time limits in real Chinese working days (chinese-calendar), with fixed dates.

Around: 2025 Spring Festival (off 01-28..02-04, make-up Sun 01-26 and Sat 02-08), 2025
National Day (off 10-01..10-08, make-up Sun 09-28 and Sat 10-11), 2026 Spring Festival
(off 02-15..02-23, make-up Sat 02-14 and 02-28), 2026 Mid-Autumn and National Day (off
09-25 and 10-01..10-07, make-up Sun 09-20 and Sat 10-10).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from sync_server.workspace import limits
from sync_server.workspace.limits import SpecialSpan, badge, case_limits, due_date, notice_deadline

CST = timezone(timedelta(hours=8))


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=CST)


@pytest.mark.parametrize(
    ("accepted", "days", "due"),
    [
        (at(2025, 9, 26), 5, date(2025, 10, 10)),  # make-up Sun 09-28 counts, then the long holiday
        (at(2025, 1, 24), 3, date(2025, 2, 5)),  # make-up Sun 01-26 counts, 01-27, then 02-05
        (at(2026, 2, 13), 3, date(2026, 2, 25)),  # make-up Sat 02-14, then 02-24, 02-25
        (at(2026, 9, 21), 10, date(2026, 10, 12)),  # Mid-Autumn 09-25 off, make-up Sat 10-10 counts
        (at(2026, 10, 9), 1, date(2026, 10, 10)),  # the make-up Saturday itself
        (at(2026, 2, 27), 1, date(2026, 2, 28)),  # make-up Saturday after the festival
    ],
)
def test_promised_due_across_holidays(accepted, days, due):
    assert due_date(accepted, days) == due


def test_instant_case_due_same_day_or_next_working_day():
    assert due_date(at(2026, 10, 9), 0) == date(2026, 10, 9)
    assert due_date(at(2026, 10, 10), 0) == date(2026, 10, 10)  # make-up Saturday: a working day
    assert due_date(at(2026, 10, 3), 0) == date(2026, 10, 8)  # accepted on a holiday
    assert due_date(at(2025, 2, 1), 0) == date(2025, 2, 5)


def test_acceptance_date_is_china_date():
    late_utc = datetime(2025, 9, 30, 17, 0, tzinfo=UTC)  # 10-01 01:00 in China: a holiday
    assert due_date(late_utc, 0) == date(2025, 10, 9)


def test_special_stage_days_are_not_counted():
    accepted = at(2026, 9, 21)
    span = SpecialSpan("inspection", at(2026, 9, 22), at(2026, 9, 24, 15))
    # 09-23 and 09-24 are skipped: two working days later than without the stage.
    assert due_date(accepted, 10, [span]) == date(2026, 10, 14)
    same_day = SpecialSpan("review", at(2026, 9, 22, 9), at(2026, 9, 22, 16))
    assert due_date(accepted, 10, [same_day]) == date(2026, 10, 12)


def test_special_stage_over_spring_festival_and_two_stages():
    accepted = at(2026, 2, 10)
    # 02-13..02-25 skipped: working days 02-13, 02-14 (make-up), 02-24, 02-25 do not count.
    festival = SpecialSpan("rectification", at(2026, 2, 12), at(2026, 2, 25))
    assert due_date(accepted, 5) == date(2026, 2, 24)  # 02-11, 12, 13, 14 (make-up), 24
    assert due_date(accepted, 5, [festival]) == date(2026, 2, 28)  # 02-11, 12, 26, 27, 28 (make-up)
    second = SpecialSpan("review", at(2026, 2, 26), at(2026, 2, 27))  # skips 02-27
    assert due_date(accepted, 5, [festival, second]) == date(2026, 3, 2)


def test_open_special_stage_pauses_through_today():
    accepted = at(2026, 9, 21)
    open_span = SpecialSpan("inspection", at(2026, 9, 22), None)
    result = case_limits(received_at=accepted, accepted_at=accepted, promised_days=10, legal_days=20,
                         spans=[open_span], today=date(2026, 9, 29))  # fmt: skip
    assert result.paused and result.badge is None
    # 09-23..09-29 skipped (09-23, 24, 28, 29 are working days): 4 days later than 10-12.
    assert result.promised_due == date(2026, 10, 16)
    assert result.used == 1  # only 09-22 was spent


def test_correction_notice_five_working_days():
    assert notice_deadline(at(2025, 1, 24)) == date(2025, 2, 7)
    assert notice_deadline(datetime(2025, 9, 30, 17, 0, tzinfo=UTC)) == date(2025, 10, 14)
    before = case_limits(received_at=at(2025, 1, 24), accepted_at=None, promised_days=10, legal_days=20,
                         spans=[], today=date(2025, 2, 5))  # fmt: skip
    assert before.notice_due == date(2025, 2, 7) and before.notice_left == 2
    assert before.promised_due is None and before.badge == "due_soon"


def test_badges():
    due = date(2026, 10, 12)
    assert badge(due, date(2026, 9, 30)) is None  # 10-08, 09, 10, 12 remain
    assert badge(due, date(2026, 10, 9)) == "due_soon"  # 10-10 and 10-12 remain
    assert badge(due, date(2026, 10, 12)) == "due_soon"
    assert badge(due, date(2026, 10, 13)) == "overdue"
    assert badge(None, date(2026, 10, 13)) is None
    assert limits.days_left(due, date(2026, 10, 14)) == -2


def test_table_count_matches_a_day_by_day_count():
    """The per-year prefix counts agree with walking the days, with and without a table."""
    import random

    from shared_schema.holidays import example_table_path, load_holiday_table
    from shared_schema.workcalendar import WorkCalendar

    def walk(cal: WorkCalendar, start: date, end: date, spans: list[tuple[date, date]]) -> int:
        if end < start:
            return -walk(cal, end, start, spans)
        days = (start + timedelta(days=i) for i in range(1, (end - start).days + 1))
        return sum(cal.is_working_day(d) and not any(f <= d <= la for f, la in spans) for d in days)

    rng = random.Random(3)
    for cal in (WorkCalendar(), WorkCalendar([load_holiday_table(example_table_path())])):
        for _ in range(200):
            start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 1400))
            end = start + timedelta(days=rng.randint(-400, 400))
            first = start + timedelta(days=rng.randint(-20, 60))
            spans = [(first, first + timedelta(days=rng.randint(0, 30)))] if rng.random() < 0.5 else []
            spans += [(first + timedelta(days=10), first + timedelta(days=40))] if rng.random() < 0.3 else []
            expected = walk(cal, start, end, spans)
            assert cal.count_working_days(start, end, spans) == expected, (start, end, spans)
    # 春节 2026: Saturday 02-14 worked, 02-15..02-23 off.
    assert limits.count_days(date(2026, 2, 13), date(2026, 2, 24)) == 2
