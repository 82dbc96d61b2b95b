"""The pieces of a multi-node setup that need no cluster (test_multinode.py runs one): the
HAProxy configuration the CLI writes, client addresses behind proxies (``PROXY_HOPS``),
and state two nodes change at the same moment (PostgreSQL: the second truly waits)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from sync_server.app import create_app
from sync_server.auth_cache import GENERATION_KEY, bump_generation
from sync_server.cluster import haproxy_config
from sync_server.db import Database, get_db, utcnow
from sync_server.enrollment import KioskPrincipal, create_code, enroll
from sync_server.errors import ApiError
from sync_server.models import Kiosk, RateLimitWindow, ServerSetting, SupplementLookupAttempt
from sync_server.supplement_lookup import _count_attempt
from sync_server.workspace.accounts import LoginPolicy, authenticate, create_user
from sync_server.workspace.errors import WorkspaceError
from sync_server.workspace.models import StaffUser
from sync_server.workspace.verify_code import display, new_code
from tests.support.waiting import STUCK_S, wait_until
from tongban_cli.main import cli

from .factories import STATION_ZEZHOU


def test_balancer_config_written_and_checked(tmp_path: Path) -> None:
    out = tmp_path / "haproxy.cfg"
    nodes = ["--node", "10.0.0.11:8400", "--node", "[fd00::12]:8400"]
    result = CliRunner().invoke(cli, ["server", "balancer-config", *nodes, "--bind", "127.0.0.1:18400",
                                      "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "server node1 10.0.0.11:8400 check" in text and "server node2 [fd00::12]:8400 check" in text
    assert "disable-l7-retry unless METH_GET or METH_HEAD" in text  # a POST is never resent
    if shutil.which("haproxy"):  # the real parser (CI has it: the Makefile's Debian list)
        check = subprocess.run(["haproxy", "-c", "-f", str(out)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    for bad in ("10.0.0.11", "10.0.0.11:0", "10.0.0.11:70000", "x:1\n", "x:1\n    server evil 1.2.3.4:80"):
        refused = CliRunner().invoke(cli, ["server", "balancer-config", "--node", bad])
        assert refused.exit_code != 0 and "not a host:port address" in refused.output
    with pytest.raises(ValueError, match="at least one node"):
        haproxy_config([], "127.0.0.1:8400")


def test_client_address_behind_proxies(db_url: str, tmp_path: Path) -> None:
    """With PROXY_HOPS = 2 the address two proxies saw counts, not one the client sent."""
    app = create_app({"HOME": str(tmp_path), "DATABASE_URL": db_url, "PROXY_HOPS": 2})
    try:
        chain = "6.6.6.6, 10.20.30.40, 192.168.0.2"  # forged by the client, nginx's, HAProxy's
        answer = app.test_client().get(
            f"/verify/{display(new_code())}.json", headers={"X-Forwarded-For": chain}
        )
        assert answer.status_code == 404
        with get_db(app).transaction() as session:
            clients = session.scalars(select(RateLimitWindow.client)).all()
        assert clients == ["10.20.30.40"]
    finally:
        get_db(app).dispose()
    for bad in (-1, 6, "1", True):
        with pytest.raises(ValueError, match="PROXY_HOPS"):
            create_app({"HOME": str(tmp_path), "DATABASE_URL": db_url, "PROXY_HOPS": bad})


def test_first_revocations_on_two_nodes_at_once(app) -> None:
    """Two nodes revoking at once, before any revocation ever: both commit (a read, then an
    insert, failed the second on the key)."""
    db, other = get_db(app), Database(get_db(app).url)
    try:
        _at_once(db, bump_generation, lambda: _bump(other))
        with db.transaction() as session:
            assert session.get(ServerSetting, GENERATION_KEY) is not None
    finally:
        other.dispose()


def _at_once(db: Database, first: Callable[[Session], object], second: Callable[[], object]) -> None:
    """``first`` in an open transaction of ``db`` while ``second`` starts in another thread;
    on PostgreSQL ``first`` commits once ``second`` waits for its lock (or has finished:
    then nothing made it wait). SQLite has one writer at a time: ``second`` runs after."""
    with ThreadPoolExecutor(1) as pool:
        with db.transaction(write=True) as session:
            first(session)
            session.flush()
            later = None if db.is_sqlite else pool.submit(second)
            if later is not None:
                wait_until(lambda: later.done() or _waiting_on_lock(db), "the second to start")
        (later or pool.submit(second)).result(STUCK_S)  # raises what the second raised


def _bump(database: Database) -> None:
    with database.transaction(write=True) as session:
        bump_generation(session)


def _waiting_on_lock(db: Database) -> bool:
    query = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with db.engine.connect() as connection:
        return connection.execute(text(query)).scalar_one() > 0


def test_wrong_passwords_on_two_nodes_at_once_both_count(app) -> None:
    """Two failed logins at once (as two nodes would run them) count two, not one."""
    db, other = get_db(app), Database(get_db(app).url)
    rules = LoginPolicy(max_failures=5, lock_minutes=15)

    def wrong_password(session: Session) -> None:
        with pytest.raises(WorkspaceError):
            authenticate(session, "guessed", "wrong", rules)

    def on_the_other_node() -> None:
        with other.transaction(write=True) as session:
            wrong_password(session)

    with db.transaction(write=True) as session:
        create_user(session, "guessed", "city_admin", "Tongban-shared-1", full_name="管理员")
    try:
        _at_once(db, wrong_password, on_the_other_node)
        with db.transaction() as session:
            user = session.scalars(select(StaffUser).where(StaffUser.username == "guessed")).one()
            assert user.failed_logins == 2
    finally:
        other.dispose()


def test_lookup_budget_on_two_nodes_at_once(app, kiosk) -> None:
    """A kiosk's last 补正 lookup of the hour, asked twice at once on two nodes: one is
    counted, the other refused (429), never both let through."""
    db, other = get_db(app), Database(get_db(app).url)
    principal = KioskPrincipal(kiosk.kiosk_id, kiosk.station_code, kiosk.secret)
    now = utcnow()

    def last_attempt(session: Session) -> None:
        _count_attempt(session, principal, "CQ0100-K0000001-20260105-0001", 1, now)

    def on_the_other_node() -> None:
        with other.transaction(write=True) as session, pytest.raises(ApiError) as refused:
            last_attempt(session)
        assert refused.value.status == 429

    try:
        _at_once(db, last_attempt, on_the_other_node)
        with db.transaction() as session:
            assert session.scalar(select(func.count()).select_from(SupplementLookupAttempt)) == 1
    finally:
        other.dispose()


def test_enrollments_on_two_nodes_at_once_get_different_feedback_prefixes(app) -> None:
    """Both pick the next feedback prefix at once: the unique constraint refuses the second's
    (PostgreSQL: once the first commits), which takes the one after; both kiosks enroll."""
    db, other = get_db(app), Database(get_db(app).url)
    with db.transaction(write=True) as session:
        codes = [create_code(session, STATION_ZEZHOU, timedelta(hours=1)) for _ in range(2)]

    def on_the_other_node() -> None:
        with other.transaction(write=True) as session:
            enroll(session, codes[1], "second", "virtual")

    try:
        _at_once(db, lambda session: enroll(session, codes[0], "first", "virtual"), on_the_other_node)
        with db.transaction() as session:
            prefixes = session.execute(select(Kiosk.name, Kiosk.feedback_prefix).order_by(Kiosk.name)).all()
        assert [tuple(p) for p in prefixes] == [("first", 1), ("second", 2)]
    finally:
        other.dispose()
