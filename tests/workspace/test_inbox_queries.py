"""The inbox reads a page in a fixed number of statements, however many rows it shows.

Each routed case's correction-notice deadline runs from its latest supplement (补正), so a
row used to load that case's events: one more query per row. The statements are counted
with SQLAlchemy's ``before_cursor_execute`` event on every engine, on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine

from sync_server.db import get_db
from sync_server.models import Submission
from sync_server.workspace import history, inbox, limits
from sync_server.workspace.models import StaffUser
from tests.server.factories import CHINA, png_page

from .conftest import new_case
from .test_supplements import ask, receipt, send, supplement


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine runs inside the block."""
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def supplemented_case(app, client, kiosk, seq: int) -> int:
    """A routed case whose correction notice was answered by a supplement."""
    case = new_case(app, client, kiosk, seq=seq)
    ask(app, case, ["户口簿首页"])
    manifest, blobs = supplement(kiosk, receipt(app, case), {"item-1": [png_page(200 + seq)]})
    assert send(client, kiosk, manifest, blobs).status_code == 201
    return case


def page_statements(rev) -> tuple[int, int]:
    """(statements, rows) of one inbox page."""
    with statements() as seen:
        html = rev.get("/workspace/inbox").get_data(as_text=True)
    return len(seen), html.count("受理/补正告知期限")


def test_an_inbox_page_costs_the_same_statements_for_2_or_6_rows(app, client, kiosk, as_user):
    new_case(app, client, kiosk, seq=1)
    supplemented_case(app, client, kiosk, seq=2)
    rev = as_user("rev_a")
    rev.get("/workspace/inbox")  # the first request warms caches (catalog, keys)
    small, small_rows = page_statements(rev)
    for seq in (3, 4):
        new_case(app, client, kiosk, seq=seq)
        supplemented_case(app, client, kiosk, seq=seq + 2)
    large, large_rows = page_statements(rev)
    assert (small_rows, large_rows) == (2, 6)
    assert large == small, f"{large - small} more statements for 4 more rows"


def test_the_page_counts_the_notice_deadline_from_the_latest_supplement(app, client, kiosk, staff):
    plain = new_case(app, client, kiosk, seq=1)
    answered = supplemented_case(app, client, kiosk, seq=2)
    long_ago = datetime.now(CHINA) - timedelta(days=30)
    with get_db(app).transaction(write=True) as session:
        session.execute(
            update(Submission).where(Submission.id.in_([plain, answered])).values(transferred_at=long_ago)
        )
    today = inbox.today_in_china(datetime.now(CHINA))
    with get_db(app).transaction() as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == "rev_a")).one()
        rows = {r.id: r for r in inbox.inbox(session, user, inbox.InboxFilter(), None, 50, today).rows}
        for case in (plain, answered):
            sub = session.get_one(Submission, case)
            assert rows[case].notice_due == limits.notice_deadline(history.materials_received_at(sub))
    assert rows[plain].notice_due == limits.notice_deadline(long_ago)
    assert rows[answered].notice_due > rows[plain].notice_due  # the supplement restarted the clock
