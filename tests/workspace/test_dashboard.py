"""督办看板: every figure equals the count known from a generated data set, its drill-down
lists exactly those cases (and exports them to XLSX), and a department sees only its own.

Six cases around the 2026 National Day holidays (working days: 9-28..9-30, 10-08..10-10,
10-12 …), written as rows the way the bench builds its 100,000; one is outside the period.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import re
import uuid
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from sync_server.db import get_db
from sync_server.models import Evaluation, Submission, SubmissionEvent
from tests.server.factories import CITY_MATTER, HOME_MATTER, STATION_CHENGQU, STATION_ZEZHOU, TRIAGE

from .conftest import CHINA, DEPT_A, DEPT_B

PERIOD = "from=2026-09-01&to=2026-10-31"


def t(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=CHINA)


# name: department, matter, station, channel, collected, transferred, transfer_due, answered
# (first decision), accepted, promised_due, completed, delivered, state
CASES = {
    "A1": (DEPT_A, HOME_MATTER, STATION_ZEZHOU, "api", t(9, 28), t(9, 28, 11), date(2026, 9, 30), t(9, 29),
           t(9, 29), date(2026, 10, 9), t(10, 9), t(10, 12), "delivered"),
    "A2": (DEPT_A, HOME_MATTER, STATION_CHENGQU, "bundle", t(9, 28), t(10, 8), date(2026, 9, 30), t(10, 20),
           t(10, 20), date(2026, 10, 30), None, None, "accepted"),
    "A3": (DEPT_A, HOME_MATTER, STATION_ZEZHOU, "api", t(10, 15), t(10, 15, 11), date(2026, 10, 19), None,
           None, None, None, None, "routed"),
    "B1": (DEPT_B, HOME_MATTER, STATION_ZEZHOU, "api", t(9, 10), t(9, 10, 11), date(2026, 9, 14), t(9, 11),
           t(9, 11), date(2026, 9, 18), t(9, 30), None, "completed"),
    "C1": (TRIAGE, CITY_MATTER, STATION_CHENGQU, "api", t(10, 20), None, date(2026, 10, 22), None,
           None, None, None, None, "acknowledged"),
    "OLD": (DEPT_A, HOME_MATTER, STATION_ZEZHOU, "api", t(8, 14), t(8, 14, 11), date(2026, 8, 18), t(8, 17),
            t(8, 17), date(2026, 8, 28), t(8, 20), t(8, 21), "delivered"),
}  # fmt: skip
RATINGS = [
    ("A1", "collect", 5),
    ("A1", "handle", 4),
    ("A2", "collect", 1),
    ("B1", "collect", 3),
    ("OLD", "collect", 2),
]


def receipt(name: str) -> str:
    return f"ST01-K0001-20260901-{list(CASES).index(name) + 1:04d}"


@pytest.fixture
def dataset(app, staff):  # type: ignore[no-untyped-def]
    with get_db(app).transaction(write=True) as session:
        for i, (name, row) in enumerate(CASES.items(), start=1):
            dept, matter, station, channel, collected, transferred, tdue, answered, accepted, pdue, done, \
                delivered, state = row  # fmt: skip
            sub = Submission(
                client_uuid=uuid.UUID(int=i), receipt_no=receipt(name), station_code=station,
                matter_code=matter,
                catalog_version="2026.01.01", applicant_kind="person", applicant_name=f"申请人{name}",
                applicant_id_number="11010519491231002X", applicant_phone="13800138000",
                home_division="140521200201", delivery_method="pickup", manifest={}, content_digest="0" * 64,
                source=channel, state=state, department_code=dept, ack_body="{}", collected_at=collected,
                received_at=collected, transfer_due=tdue, transferred_at=transferred, accepted_at=accepted,
                promised_due=pdue, completed_at=done, delivered_at=delivered,
                notice_from=transferred, notice_answered_at=answered if transferred else None,
            )  # fmt: skip
            session.add(sub)
            session.flush()
            if answered is not None:
                event = SubmissionEvent(
                    submission_id=sub.id, state="accepted", at=answered, message_zh="申请已受理",
                    detail={"action": "accept"}, actor="rev",
                )  # fmt: skip
                session.add(event)
        for n, (name, stage, score) in enumerate(RATINGS, start=1):
            session.add(Evaluation(evaluation_uuid=uuid.UUID(int=1000 + n), station_code=CASES[name][2],
                                   receipt_no=receipt(name), at_stage=stage, department_code=CASES[name][0],
                                   score=score, comment="", reasons=[], created_at=CASES[name][4],
                                   content_digest="0" * 64))  # fmt: skip


FIGURE = re.compile(r'<a href="([^"]+)" data-figure="([^"]+)">(\d+)</a>')
RECEIPT = re.compile(r'data-receipt="([^"]+)"')


def figures(browser, path: str) -> dict[str, tuple[int, str]]:  # type: ignore[no-untyped-def]
    answer = browser.get(f"{path}?{PERIOD}")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    html = answer.get_data(as_text=True)
    assert "<svg" in html and "pygal" in html  # the chart, rendered on the server
    return {fig: (int(n), href.replace("&amp;", "&")) for href, fig, n in FIGURE.findall(html)}


def drilled(browser, href: str) -> set[str]:  # type: ignore[no-untyped-def]
    """The cases listed; the list's own total (counted, or taken from the page's day pairs)
    must be the number listed."""
    html = browser.get(href).get_data(as_text=True)
    found = {name for name in CASES if receipt(name) in set(RECEIPT.findall(html))}
    assert f'class="dash-total">共 {len(found)} 件' in html, href
    return found


def names(*found: str) -> set[str]:
    return set(found)


CITY_EXPECTED = {
    "volume-department-" + DEPT_A: names("A1", "A2", "A3"),
    "volume-department-" + DEPT_B: names("B1"),
    "volume-department-" + TRIAGE: names("C1"),
    "volume-channel-api": names("A1", "A3", "B1", "C1"),
    "volume-channel-bundle": names("A2"),
    "volume-station-" + STATION_ZEZHOU: names("A1", "A3", "B1"),
    "volume-station-" + STATION_CHENGQU: names("A2", "C1"),
    "volume-matter-" + HOME_MATTER: names("A1", "A2", "A3", "B1"),
    "volume-matter-" + CITY_MATTER: names("C1"),
    "clock-transfer-on_time": names("A1", "A3", "B1"),
    "clock-transfer-late": names("A2"),
    "clock-transfer-overdue": names("C1"),
    "clock-notice-on_time": names("A1", "B1"),
    "clock-notice-late": names("A2"),
    "clock-notice-overdue": names("A3"),
    "clock-promised-on_time": names("A1"),
    "clock-promised-late": names("B1"),
    "clock-promised-overdue": names("A2"),
    "clock-delivery-on_time": names("A1"),
    "clock-delivery-overdue": names("B1"),
    "rating-collect-5": names("A1"),
    "rating-collect-3": names("B1"),
    "rating-collect-1": names("A2"),
    "rating-handle-4": names("A1"),
}


def test_every_figure_equals_its_known_count_and_drills_down_to_exactly_those_cases(
    app, dataset, as_user
) -> None:  # type: ignore[no-untyped-def]
    admin = as_user("admin")
    shown = {}
    for path in (
        "/workspace/dashboard",
        "/workspace/dashboard/deadlines",
        "/workspace/dashboard/satisfaction",
    ):
        shown.update(figures(admin, path))
    for fig, expected in CITY_EXPECTED.items():
        count, href = shown[fig]
        assert count == len(expected), fig
        assert drilled(admin, href) == expected, fig
    zero = {fig for fig, (n, _) in shown.items() if n == 0}
    assert zero.isdisjoint(CITY_EXPECTED) and "clock-transfer-running" in zero
    tier = [n for fig, (n, _) in shown.items() if fig.startswith("volume-tier-")]
    assert sum(tier) == 5  # every case in the period once, whatever its matter's tier

    html = admin.get(f"/workspace/dashboard/deadlines?{PERIOD}").get_data(as_text=True)
    transfer = html[html.index('data-clock="transfer"') :]
    assert "60.0%" in transfer[: transfer.index("</tr>")]  # 3 on time of 5 judged

    export = admin.get(
        shown["clock-notice-on_time"][1].replace("/dashboard/cases?", "/dashboard/cases.xlsx?")
    )
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(export.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "受理编号" and {r[0] for r in rows[2:]} == {receipt("A1"), receipt("B1")}
    assert "共 2 件" in rows[0][0]


def test_a_department_sees_only_its_own(app, dataset, as_user) -> None:  # type: ignore[no-untyped-def]
    reviewer = as_user("rev_a")
    shown = {}
    for path in (
        "/workspace/dashboard",
        "/workspace/dashboard/deadlines",
        "/workspace/dashboard/satisfaction",
    ):
        shown.update(figures(reviewer, path))
    assert shown["volume-department-" + DEPT_A][0] == 3
    assert not any(fig.endswith(DEPT_B) or fig.endswith(TRIAGE) for fig in shown)
    assert shown["clock-transfer-on_time"][0] == 2 and shown["clock-transfer-overdue"][0] == 0
    assert shown["rating-collect-3"][0] == 0 and shown["rating-collect-1"][0] == 1
    # a link to another department's figure lists nothing of theirs
    other = f"/workspace/dashboard/cases?{PERIOD}&fig=volume&dim=department&key={DEPT_B}"
    assert drilled(reviewer, other) == set()
    page = reviewer.get(f"/workspace/dashboard/satisfaction?{PERIOD}").get_data(as_text=True)
    assert 'id="kiosks"' not in page  # the fleet is the city's


def test_the_city_sees_when_the_next_tier_review_is_due(app, dataset, as_user) -> None:  # type: ignore[no-untyped-def]
    """5.3: the review cycle's due day on the city's dashboard, flagged once it has passed;
    a department's view has none."""
    from sync_server import tier_review

    admin = as_user("admin")
    with get_db(app).transaction() as session:
        due = tier_review.next_due(session)  # the first published version's day + the cycle
    page = admin.get(f"/workspace/dashboard?{PERIOD}").get_data(as_text=True)
    assert f'data-review-due="{due}"' in page and f"<strong>{due}</strong>" in page
    with get_db(app).transaction(write=True) as session:
        tier_review.start_review(session, "admin", date(2020, 1, 15))
    for path in (
        "/workspace/dashboard",
        "/workspace/dashboard/deadlines",
        "/workspace/dashboard/satisfaction",
    ):
        page = admin.get(f"{path}?{PERIOD}").get_data(as_text=True)
        shown = page[page.index('class="dash-review"') :]
        assert 'data-review-due="2020-04-15"' in shown and "已逾期" in shown[: shown.index("</p>")]
    assert "dash-review" not in as_user("rev_a").get(f"/workspace/dashboard?{PERIOD}").get_data(as_text=True)


def test_refusals(app, dataset, as_user) -> None:  # type: ignore[no-untyped-def]
    admin = as_user("admin")
    assert admin.get("/workspace/dashboard/cases?fig=clock&clock=nope&outcome=late").status_code == 400
    assert admin.get("/workspace/dashboard/cases?fig=rating&stage=handle&score=9").status_code == 400
    assert admin.get("/workspace/dashboard?from=2026-10-01&to=2026-01-01").status_code == 400
    assert as_user("station").get("/workspace/dashboard").status_code == 403
    assert (
        as_user("auditor").get("/workspace/dashboard/cases?fig=volume&dim=channel&key=api").status_code == 403
    )


def test_due_days_by_positions_are_the_calendars() -> None:
    """The positions shortcut that gives every start day its due day agrees with
    add_working_days around the 2026 National Day holidays and their make-up Sundays."""
    from datetime import timedelta

    from sync_server.workdays import add_working_days
    from sync_server.workspace.dashboard import _Days

    days, first = _Days(date(2026, 1, 1)), date(2026, 9, 20)
    for n in (2, 5):
        swept = days.dues(first, first + timedelta(days=39), n)
        for offset in range(40):
            start = first + timedelta(days=offset)
            assert days.due(start, n) == swept[offset] == add_working_days(start, n), (start, n)
