"""The notice clock kept on the case row (``notice_from``, ``notice_answered_at``) agrees with
a from-scratch reading of the case's events after every kind of event, and the migration
that added the columns fills old rows by the same rule.

Events go through the real paths: ingest over the API, the workspace's accept / 补正 /
不予受理 service functions, a kiosk's supplement over the API, a triage reassignment.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from sync_server import migrate
from sync_server.db import Database, get_db
from sync_server.models import Submission, SubmissionEvent
from sync_server.workspace import actions, history, triage
from sync_server.workspace.models import StaffUser
from tests.server.factories import ORPHAN_MATTER, png_page

from .conftest import BACKENDS, DEPT_A, database_at, new_case
from .test_dashboard import FIGURE
from .test_supplements import ask, receipt, send, supplement

ANSWERS = {"accepted", "correction_requested", "rejected"}
BEFORE = "b91d4e7a2c60"  # the revision before the columns


def from_events(
    events: list[Any], transferred_at: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """The clock read from scratch: it starts at the latest supplement (else the transfer) and
    stops at the first answer after that event."""
    ordered = sorted(events, key=lambda e: e.id)
    restarts = [i for i, e in enumerate(ordered) if history.action_of(e) == "supplement"]
    start = ordered[restarts[-1]].at if restarts else transferred_at
    if start is None:
        return None, None
    after = ordered[restarts[-1] + 1 :] if restarts else ordered
    return start, min((e.at for e in after if e.state in ANSWERS), default=None)


def assert_agree(app, *cases: int) -> dict[int, tuple[datetime | None, datetime | None]]:  # type: ignore[no-untyped-def]
    with get_db(app).transaction() as session:
        found = {}
        for case in cases:
            sub = session.get_one(Submission, case)
            kept = (sub.notice_from, sub.notice_answered_at)
            assert kept == from_events(list(sub.events), sub.transferred_at), (case, sub.state)
            found[case] = kept
        return found


def act(app, case: int, do) -> None:  # type: ignore[no-untyped-def]
    with get_db(app).transaction(write=True) as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == "rev_a")).one()
        do(session, session.get_one(Submission, case), user)


def notice_figures(browser) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The department's notice clock on the deadlines page, over this year (the cases are new)."""
    year = datetime.now(UTC).year
    html = browser.get(f"/workspace/dashboard/deadlines?from={year - 1}-01-01&to={year + 1}-12-31")
    found = FIGURE.findall(html.get_data(as_text=True))
    return {
        fig.removeprefix("clock-notice-"): int(n) for _, fig, n in found if fig.startswith("clock-notice-")
    }


def test_the_kept_clock_follows_every_kind_of_event(app, client, kiosk, staff, as_user) -> None:  # type: ignore[no-untyped-def]
    corrected, rejected = (new_case(app, client, kiosk, seq=n) for n in (1, 2))
    triaged = new_case(app, client, kiosk, seq=3, matter_code=ORPHAN_MATTER)
    started = assert_agree(app, corrected, rejected, triaged)
    assert started[corrected][0] is not None and started[corrected][1] is None  # ingest: running
    assert started[triaged] == (None, None)  # triage holds it: no department has the materials

    ask(app, corrected, ["户口簿首页"])  # 补正 stops the clock
    asked = assert_agree(app, corrected)[corrected]
    assert asked[1] is not None and asked[0] == started[corrected][0]

    reviewer = as_user("rev_a")
    assert notice_figures(reviewer) == {"on_time": 1, "late": 0, "overdue": 0, "running": 1}
    manifest, blobs = supplement(kiosk, receipt(app, corrected), {"item-1": [png_page(41)]})
    assert send(client, kiosk, manifest, blobs).status_code == 201
    restarted = assert_agree(app, corrected)[corrected]  # the supplement restarts it
    assert restarted[0] > asked[0] and restarted[1] is None
    assert notice_figures(reviewer) == {"on_time": 0, "late": 0, "overdue": 0, "running": 2}

    act(app, corrected, lambda s, sub, u: actions.accept(s, sub, u))
    accepted = assert_agree(app, corrected)[corrected]
    assert accepted[0] == restarted[0] and accepted[1] >= accepted[0]
    act(app, corrected, lambda s, sub, u: actions.start_special(s, sub, u, "inspection", "现场勘验"))
    assert assert_agree(app, corrected)[corrected] == accepted  # later events leave it alone

    act(app, rejected, lambda s, sub, u: actions.reject(s, sub, u, "不属于本部门受理范围"))
    assert assert_agree(app, rejected)[rejected][1] is not None

    with get_db(app).transaction(write=True) as session:
        admin = session.scalars(select(StaffUser).where(StaffUser.username == "admin")).one()
        triage.reassign_from_triage(session, admin, triaged, DEPT_A, "属地部门办理")
    moved = assert_agree(app, triaged)[triaged]
    assert moved[0] is not None and moved[1] is None
    assert notice_figures(reviewer) == {"on_time": 2, "late": 0, "overdue": 0, "running": 1}


# ---- the migration's backfill ------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database at the revision before the columns."""
    with database_at(request.param, tmp_path, BEFORE) as url:
        yield url


T0 = datetime(2026, 9, 28, 2, tzinfo=UTC)
# name: transferred (hours after T0 or None), events as (state, action, hours after T0)
OLD_CASES: dict[str, tuple[int | None, list[tuple[str, str, int]]]] = {
    "waiting": (1, [("acknowledged", "", 0), ("routed", "", 1)]),
    "accepted": (1, [("acknowledged", "", 0), ("routed", "", 1), ("accepted", "accept", 20)]),
    "corrected": (1, [("acknowledged", "", 0), ("routed", "", 1), ("correction_requested", "correct", 5)]),
    "supplemented": (1, [("acknowledged", "", 0), ("routed", "", 1), ("correction_requested", "correct", 5),
                         ("routed", "supplement", 30)]),
    "second round answered": (1, [("acknowledged", "", 0), ("routed", "", 1),
                                  ("correction_requested", "correct", 5), ("routed", "supplement", 30),
                                  ("correction_requested", "correct", 40), ("routed", "supplement", 60),
                                  ("accepted", "accept", 70), ("completed", "complete", 90)]),
    "in triage": (None, [("acknowledged", "", 0), ("routed", "", 0)]),
}  # fmt: skip


def _insert_old(session: Session) -> dict[str, int]:
    """Rows as a server before the columns stored them (Core: the model has the new columns)."""
    ids = {}
    for n, (name, (transferred, events)) in enumerate(OLD_CASES.items(), start=1):
        at = {h: T0 + timedelta(hours=h) for _, _, h in events}
        ids[name] = session.execute(
            text(
                "INSERT INTO submissions (client_uuid, receipt_no, matter_code, catalog_version,"
                " applicant_kind, applicant_name, applicant_phone, home_division, delivery_method, manifest,"
                " content_digest, source, state, ack_body, collected_at, received_at, transfer_due,"
                " transferred_at, updated_at) VALUES (:uuid, :receipt, 'M', '1', 'person', '张三',"
                " '13800138000', '140521200201', 'pickup', '{}', :digest, 'api', :state, '{}', :t0, :t0,"
                " '2026-09-30', :transferred, :t0) RETURNING id"
            ),
            {
                "uuid": str(uuid.UUID(int=n))
                if session.bind.dialect.name == "postgresql"
                else uuid.UUID(int=n).hex,
                "receipt": f"OLD-{n}",
                "digest": "0" * 64,
                "state": events[-1][0],
                "t0": T0,
                "transferred": T0 + timedelta(hours=transferred) if transferred is not None else None,
            },
        ).scalar_one()
        for state, action, hours in events:
            detail = {"action": action} if action else {}
            session.add(SubmissionEvent(submission_id=ids[name], state=state, at=at[hours], message_zh="",
                                        detail=detail, actor="old"))  # fmt: skip
    return ids


def _hours(moment: datetime | None) -> int | None:
    return None if moment is None else (moment - T0) // timedelta(hours=1)


def test_the_migration_fills_old_rows_by_the_same_rule(old_database: str) -> None:
    old = Database(old_database)
    with old.transaction(write=True) as session:
        ids = _insert_old(session)
    old.dispose()
    migrate.upgrade(old_database)
    db = Database(old_database)
    try:
        with db.transaction() as session:
            for name, case in ids.items():
                sub = session.get_one(Submission, case)
                kept = (sub.notice_from, sub.notice_answered_at)
                assert kept == from_events(list(sub.events), sub.transferred_at), name
            rows = {name: session.get_one(Submission, case) for name, case in ids.items()}
            hours = {name: (_hours(s.notice_from), _hours(s.notice_answered_at)) for name, s in rows.items()}
    finally:
        db.dispose()
    assert hours == {  # the known answers, so a rule wrong in both places fails too
        "waiting": (1, None),
        "accepted": (1, 20),
        "corrected": (1, 5),
        "supplemented": (30, None),
        "second round answered": (60, 70),
        "in triage": (None, None),
    }
