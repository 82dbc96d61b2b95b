"""Holiday tables (issue 10): the file format, the one calendar, and the CLI import on a server.

The 2027 table used here is the shipped *example* (made-up dates in the pattern of earlier
notices, labelled ``example: true``): 春节 off 2027-02-05 to 02-13, Saturday 2027-01-30
and 2027-02-20 worked, 元旦 2027-01-01 to 01-03.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import delete, select

from shared_schema import Catalog, SchemaError
from shared_schema.catalog import CATALOG_FORMAT
from shared_schema.holidays import HolidayTable, example_table_path, load_holiday_table, parse_holiday_table
from shared_schema.workcalendar import CalendarRangeError, WorkCalendar, YearSource
from sync_server import workdays
from sync_server.catalog_sync import republish_holidays
from sync_server.db import get_db
from sync_server.models import HolidayTableRow, Submission
from sync_server.workspace.models import AuditEntry
from tongban_cli.main import cli

from .conftest import ApiClient, KioskCreds, submit
from .factories import CHINA, ORPHAN_MATTER, make_catalog, make_manifest

MID_JANUARY = date(2027, 1, 15)  # a Friday

CURRENT_CATALOG = f"/catalog?format={CATALOG_FORMAT}"


@pytest.fixture(scope="module")
def table_2027() -> HolidayTable:
    return load_holiday_table(example_table_path(2027))


@pytest.fixture
def no_tables_after(app: Flask) -> Iterator[None]:
    """Imports change shared rows (the catalog release is kept between PostgreSQL tests)."""
    yield
    with get_db(app).transaction(write=True) as session:
        session.execute(delete(HolidayTableRow))
        republish_holidays(session)


# -- the file format -------------------------------------------------------------------


def test_example_table_is_labelled_and_not_official(table_2027: HolidayTable) -> None:
    assert table_2027.example and not table_2027.official
    assert "示例" in table_2027.notice
    assert "EXAMPLE" in example_table_path(2027).read_text(encoding="utf-8")
    off = table_2027.days_off()
    assert off[date(2027, 2, 6)] == "春节" and date(2027, 2, 14) not in off


def test_yaml_and_json_give_the_same_table(table_2027: HolidayTable) -> None:
    as_json = json.dumps(table_2027.to_json_dict(), ensure_ascii=False)
    assert parse_holiday_table(as_json.encode()) == table_2027
    as_yaml = yaml.safe_dump(table_2027.to_json_dict(), allow_unicode=True)
    assert parse_holiday_table(as_yaml) == table_2027


BAD_TABLE = """
year: 2027
notice: 测试用表（错误示范）
holidays:
  - {name: 春节, first: 2027-02-13, last: 2027-02-05}
  - {name: 元旦, first: 2026-12-31, last: 2027-01-02}
  - {name: 国庆节, first: 2027-10-01, last: 2027-10-07}
  - {name: 中秋节, first: 2027-10-05, last: 2027-10-06}
workdays: [2027-10-09, 2027-10-03, 2027-10-08, 2028-01-01, 2027-10-09]
"""


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(SchemaError) as caught:
        parse_holiday_table(BAD_TABLE, source="bad.yaml")
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 9, messages
    expected = [
        "last 2027-02-05 is before first 2027-02-13",
        "2026-12-31 is not in 2027",
        "holidays 国庆节 and 中秋节: not in date order or overlapping",
        "2027-10-03 is also a holiday",
        "2027-10-08 is a weekday",
        "2028-01-01 is not in 2027",
        "2027-10-09 listed twice",
        "workdays: not in date order",
    ]
    for text in expected:
        assert any(text in m for m in messages), (text, messages)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        ("{{{ :", "neither JSON nor YAML"),
        ("- just a list", "expected a mapping"),
        ("year: 20277\nnotice: x\nholidays: []\nbogus: 1\nworkdays: [notadate]", "less than or equal"),
        (b"x" * 70_000, "larger than"),
    ],
)
def test_unreadable_files_are_refused_clearly(raw: bytes | str, expected: str) -> None:
    with pytest.raises(SchemaError) as caught:
        parse_holiday_table(raw, source="upload")
    assert expected in str(caught.value)


# -- the calendar ----------------------------------------------------------------------


def test_2027_table_moves_a_20_day_deadline_across_the_spring_festival(table_2027: HolidayTable) -> None:
    guessed, official = WorkCalendar(), WorkCalendar([table_2027])
    assert guessed.source(2027) is YearSource.weekdays and not guessed.is_official(MID_JANUARY)
    assert guessed.add_working_days(MID_JANUARY, 20) == date(2027, 2, 12)  # Mon-Fri: 春节 ignored
    due = official.add_working_days(MID_JANUARY, 20)
    assert due == date(2027, 2, 19)  # 2027-01-30 worked, 02-05..02-13 off
    assert official.count_working_days(MID_JANUARY, due) == 20
    assert official.is_working_day(date(2027, 1, 30)) and not official.is_working_day(date(2027, 2, 8))
    assert official.source(2027) is YearSource.example and not official.is_official(due)
    assert official.source(2026) is YearSource.library and official.is_official(date(2026, 5, 1))


def test_imported_table_wins_over_chinese_calendar() -> None:
    revised = HolidayTable(
        year=2026, notice="国办发明电〔2025〕测试号（测试用修订）",
        holidays=[{"name": "元旦", "first": date(2026, 12, 31), "last": date(2026, 12, 31)}],
    )  # fmt: skip
    assert WorkCalendar().is_working_day(date(2026, 12, 31))
    calendar = WorkCalendar([revised])
    assert not calendar.is_working_day(date(2026, 12, 31))
    assert calendar.source(2026) is YearSource.imported and calendar.is_official(date(2026, 12, 31))
    # A table is the whole year's notice: chinese-calendar's 2026 春节 no longer applies.
    assert calendar.is_working_day(date(2026, 2, 16)) and not WorkCalendar().is_working_day(date(2026, 2, 16))


def test_two_tables_for_one_year_are_refused(table_2027: HolidayTable) -> None:
    with pytest.raises(ValueError, match="two holiday tables for 2027"):
        WorkCalendar([table_2027, table_2027])
    data = make_catalog().to_json_dict()
    data["holidays"] = [table_2027.to_json_dict()] * 2
    with pytest.raises(SchemaError, match="holiday tables repeat a year"):
        Catalog.parse(data)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.add_working_days(date(9999, 12, 30), 5),
        lambda c: c.add_working_days(date(2199, 12, 30), 5),
        lambda c: c.add_working_days(date(1, 1, 1), 0),
        lambda c: c.count_working_days(date(1900, 1, 1), date(2026, 1, 1)),
        lambda c: c.is_working_day(date.max),
        lambda c: c.transfer_deadline(datetime(9999, 12, 31, 20, tzinfo=UTC)),
    ],
)
def test_absurd_dates_raise_a_clear_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CalendarRangeError, match="outside the working-day calendar"):
        call(WorkCalendar())


# -- on a server: CLI import, catalog, recomputed deadlines ------------------------------


def run(home: Path, db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["server", "--home", str(home), "--db", db_url, *args])
    return result.exit_code, result.output


def _case(app: Flask, client: ApiClient, kiosk: KioskCreds, seq: int, created_at: datetime) -> Submission:
    manifest, blobs = make_manifest(kiosk.kiosk_id, seq=seq, matter_code=ORPHAN_MATTER, created_at=created_at)
    answer = submit(client, kiosk, manifest, blobs)
    assert answer.status_code == 201, answer.get_json()
    with get_db(app).transaction() as session:
        return session.scalars(select(Submission).where(Submission.receipt_no == manifest.receipt_no)).one()


def test_cli_import_republishes_catalog_and_moves_open_deadlines(
    app: Flask, client: ApiClient, kiosk: KioskCreds, db_url: str, tmp_path: Path, no_tables_after: None
) -> None:
    app.config["HOLIDAY_RECHECK_SECONDS"] = 0  # notice the CLI's import at the next request
    before = client.call("GET", CURRENT_CATALOG, kiosk)
    assert before.status_code == 200 and before.get_json()["holidays"] == []
    # Collected on New Year's Eve, still waiting in triage: Mon-Fri says 01-01 and 01-04.
    waiting = _case(app, client, kiosk, 1, datetime(2026, 12, 31, 10, tzinfo=CHINA))
    assert waiting.transferred_at is None and waiting.transfer_due == date(2027, 1, 4)
    earlier = _case(app, client, kiosk, 2, datetime(2026, 11, 2, 10, tzinfo=CHINA))

    code, out = run(tmp_path, db_url, "holidays", "import", str(example_table_path(2027)), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["year"] == 2027 and report["example"] and not report["replaced"]
    assert report["changed"] == [
        {"receipt_no": waiting.receipt_no, "field": "transfer_due", "old": "2027-01-04", "new": "2027-01-05"}
    ]
    with get_db(app).transaction() as session:
        assert session.get(Submission, waiting.id).transfer_due == date(2027, 1, 5)  # 元旦 01-01..01-03
        assert session.get(Submission, earlier.id).transfer_due == earlier.transfer_due
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "holidays_import")).one()
        assert entry.username.startswith("cli:") and entry.detail["year"] == 2027
        assert entry.detail["changed"][0]["receipt_no"] == waiting.receipt_no

    # Kiosks: the old ETag no longer matches, the new body carries the table.
    after = client.call(
        "GET", f"/catalog?format={CATALOG_FORMAT}", kiosk, headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    catalog = Catalog.parse(after.get_json())
    assert [t.year for t in catalog.holidays] == [2027] and catalog.holidays[0].example
    same = client.call(
        "GET", f"/catalog?format={CATALOG_FORMAT}", kiosk, headers={"If-None-Match": after.headers["ETag"]}
    )
    assert same.status_code == 304

    # This server counts with the table from the next request on: ingest's transfer deadline.
    late = _case(app, client, kiosk, 3, datetime(2027, 2, 4, 10, tzinfo=CHINA))
    assert late.transfer_due == date(2027, 2, 16)  # not 02-08: 春节 02-05..02-13
    with app.app_context():
        assert workdays.calendar().source(2027) is YearSource.example

    code, out = run(tmp_path, db_url, "holidays", "list", "--json")
    assert code == 0 and json.loads(out)[0]["year"] == 2027

    code, out = run(tmp_path, db_url, "holidays", "import", str(example_table_path(2027)), "--json")
    assert code == 0 and json.loads(out)["replaced"] and json.loads(out)["changed"] == []


def test_cli_refuses_a_bad_file_and_stores_nothing(app: Flask, db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_TABLE, encoding="utf-8")
    code, out = run(tmp_path, db_url, "holidays", "import", str(bad), "--json")
    assert code != 0
    body = json.loads(out)
    assert body["error"] == "schema_error" and len(body["problems"]) == 9
    with get_db(app).transaction() as session:
        assert session.scalars(select(HolidayTableRow)).all() == []


def test_catalog_refresh_keeps_imported_tables(
    app: Flask, table_2027: HolidayTable, no_tables_after: None
) -> None:
    from sync_server.catalog_sync import current_release, load_catalog_into
    from sync_server.workspace.holiday_import import import_table

    with get_db(app).transaction(write=True) as session:
        import_table(session, table_2027, "test")
    with get_db(app).transaction(write=True) as session:
        load_catalog_into(session, make_catalog())  # a new catalog release keeps the tables
        body = json.loads(current_release(session).body)
    assert [t["year"] for t in body["holidays"]] == [2027]
