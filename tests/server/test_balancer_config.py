"""The pieces of a multi-node setup that need no cluster: the HAProxy configuration the
CLI writes, and client addresses behind proxies (``PROXY_HOPS``)."""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from sync_server.app import create_app
from sync_server.auth_cache import GENERATION_KEY, bump_generation
from sync_server.cluster import haproxy_config
from sync_server.db import Database, get_db
from sync_server.models import RateLimitWindow, ServerSetting
from sync_server.workspace.verify_code import display, new_code
from tests.support.waiting import STUCK_S, wait_until
from tongban_cli.main import cli


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
    """Two nodes revoking at once, before any revocation ever: both commit (PostgreSQL: the
    second waits on the first's uncommitted row; a read-then-insert failed there on the key)."""
    db, other = get_db(app), Database(get_db(app).url)
    try:
        with ThreadPoolExecutor(1) as pool:
            with db.transaction(write=True) as first:
                bump_generation(first)
                first.flush()
                if not db.is_sqlite:  # (SQLite has one writer at a time: the second comes after)
                    second = pool.submit(_bump, other)
                    wait_until(lambda: _waiting_on_lock(db), "the second revocation to wait for the first")
            if db.is_sqlite:
                second = pool.submit(_bump, other)
            second.result(STUCK_S)  # raises what the second revocation raised
        with db.transaction() as session:
            assert session.get(ServerSetting, GENERATION_KEY) is not None
    finally:
        other.dispose()


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
