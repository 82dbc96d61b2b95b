"""One lock-out rule ("N failures, then locked for T") for the online sign-in and the staff
login: the rule on its own, then both stores applying it on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from sync_server.db import get_db, utcnow
from sync_server.lockout import Limit, Tally
from sync_server.online import throttle
from sync_server.online.models import Throttle
from sync_server.workspace.accounts import LoginPolicy, authenticate, create_user
from sync_server.workspace.errors import WorkspaceError
from sync_server.workspace.models import StaffUser

NOW = utcnow()
THREE = Limit(most=3, lock=timedelta(minutes=10), window=timedelta(minutes=5))


def _counted(tally: Tally, limit: Limit, *minutes: float) -> Tally:
    for minute in minutes:
        tally = tally.counted(limit, NOW + timedelta(minutes=minute))
    return tally


def test_reaching_the_limit_locks_until_the_lock_ends() -> None:
    two = _counted(Tally(), THREE, 0, 1)
    assert two.count == 2 and two.lock_end(NOW + timedelta(minutes=1)) is None
    three = two.counted(THREE, NOW + timedelta(minutes=2))
    assert three.lock_end(NOW + timedelta(minutes=2)) == NOW + timedelta(minutes=12)
    assert three.lock_end(NOW + timedelta(minutes=12)) is None  # ends by itself
    # the lock started the count afresh: a whole allowance once it ends, or is cleared by hand
    after = three.counted(THREE, NOW + timedelta(minutes=13))
    assert (after.count, after.locked_until) == (1, None)
    cleared = Tally(three.count, three.since, None).counted(THREE, NOW + timedelta(minutes=3))
    assert (cleared.count, cleared.locked_until) == (1, None)


def test_a_window_forgets_old_counts_and_no_window_keeps_them() -> None:
    windowed = _counted(Tally(), THREE, 0, 1, 7)  # the third falls 7 min after the first
    assert (windowed.count, windowed.locked_until) == (1, None)
    unbounded = Limit(most=3, lock=timedelta(minutes=10))
    staff_like = _counted(Tally(), unbounded, 0, 60, 24 * 60)
    assert staff_like.lock_end(NOW + timedelta(days=1)) == NOW + timedelta(days=1, minutes=10)


def test_a_limit_needs_a_try_and_a_lock() -> None:
    for most, lock in ((0, timedelta(minutes=1)), (1, timedelta(0))):
        with pytest.raises(ValueError, match="lock-out"):
            Limit(most=most, lock=lock)


def test_the_online_store_counts_by_the_rule(app: Flask) -> None:
    """Keyed rows: the window and the lock's end apply as in the rule above."""
    name = throttle.key("verify:phone", "13800138000")
    with get_db(app).transaction(write=True) as session:
        for minute in (0, 1, 7, 8):  # 7 is past the window: counting starts again
            throttle.count(session, name, THREE, NOW + timedelta(minutes=minute))
        assert throttle.locked_until(session, name, NOW + timedelta(minutes=8)) is None
        throttle.count(session, name, THREE, NOW + timedelta(minutes=9))
        assert throttle.locked_until(session, name, NOW + timedelta(minutes=9)) == NOW + timedelta(minutes=19)
        assert throttle.locked_until(session, name, NOW + timedelta(minutes=19)) is None
        throttle.count(session, name, THREE, NOW + timedelta(minutes=20))
        row = session.scalars(select(Throttle).where(Throttle.key == name)).one()
        assert (row.count, row.locked_until) == (1, None)


def test_the_staff_store_counts_by_the_rule(app: Flask) -> None:
    """The account row: wrong passwords add up with no window, lock, and the lock ends by
    itself with a full allowance; a right password clears the count."""
    policy = LoginPolicy(max_failures=3, lock_minutes=10)
    with get_db(app).transaction(write=True) as session:
        create_user(session, "counted", "city_admin", "Tongban-counted-1", full_name="管理员")

    def login(password: str, minutes: float) -> bool:
        with get_db(app).transaction(write=True) as session:
            try:
                authenticate(session, "counted", password, policy, NOW + timedelta(minutes=minutes))
            except WorkspaceError:
                return False
            return True

    assert [login("wrong", m) for m in (0, 60, 24 * 60)] == [False] * 3  # no window: locked
    assert not login("Tongban-counted-1", 24 * 60 + 9)  # the right password, but locked
    assert not login("wrong", 24 * 60 + 10)  # the lock has ended: this counts one afresh
    assert login("Tongban-counted-1", 24 * 60 + 11)
    with get_db(app).transaction() as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == "counted")).one()
        assert (user.failed_logins, user.locked_until) == (0, None)
