"""Accounts, sessions and CSRF: what a browser (or an attacker's page) can and cannot do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from sync_server.db import get_db, utcnow
from sync_server.workspace.accounts import create_user
from sync_server.workspace.errors import WorkspaceError
from sync_server.workspace.models import AuditEntry, StaffSession, StaffUser
from tongban_cli.main import cli

from .conftest import DEPT_A, PASSWORD, Browser, login, new_case


def session_cookie(browser: Browser):
    return browser.http.get_cookie("tongban_ws", path="/workspace")


def test_login_sets_a_safe_cookie_and_rotates(app, staff):
    browser = Browser(app.test_client())
    browser.get("/workspace/login")
    # A cookie planted before login (session fixation) is not kept.
    browser.http.set_cookie("tongban_ws", "planted-token", path="/workspace")
    answer = browser.post("/workspace/login", {"username": "rev_a", "password": PASSWORD})
    assert answer.status_code == 303
    header = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith("tongban_ws="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/workspace" in header
    assert "Secure" not in header
    first = session_cookie(browser).value
    assert first != "planted-token"
    again, _ = login(app, "rev_a")
    assert session_cookie(again).value != first  # every login is a new session
    app.config["WORKSPACE_COOKIE_SECURE"] = True
    secure = Browser(app.test_client())
    secure.get("/workspace/login")
    answer = secure.post("/workspace/login", {"username": "rev_a", "password": PASSWORD})
    assert "Secure" in next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith("tongban_ws="))


def test_logout_ends_the_session_for_good(app, as_user):
    rev = as_user("rev_a")
    token = session_cookie(rev).value
    assert rev.post("/workspace/logout").status_code == 303
    thief = app.test_client()
    thief.set_cookie("tongban_ws", token, path="/workspace")
    assert thief.get("/workspace/inbox").status_code == 302  # back to login


def test_idle_and_absolute_expiry(app, as_user):
    rev = as_user("rev_a")
    assert rev.get("/workspace/inbox").status_code == 200
    with get_db(app).transaction(write=True) as session:
        session.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    assert rev.get("/workspace/inbox").status_code == 302
    with get_db(app).transaction() as session:
        assert session.scalars(select(StaffSession)).all() == []
    rev = as_user("rev_a")
    with get_db(app).transaction(write=True) as session:
        session.execute(update(StaffSession).values(created_at=utcnow() - timedelta(hours=13)))
    assert rev.get("/workspace/inbox").status_code == 302


def test_wrong_password_lockout_and_audit(app, staff):
    for _ in range(5):
        _, answer = login(app, "rev_a", "wrong password!")
        assert answer.status_code == 401
        assert "用户名或密码错误" in answer.get_data(as_text=True)
    _, answer = login(app, "rev_a")  # right password, but locked now
    assert answer.status_code == 401
    _, answer = login(app, "nobody-here")
    assert answer.status_code == 401
    with get_db(app).transaction(write=True) as session:
        assert session.scalar(select(StaffUser.locked_until).where(StaffUser.username == "rev_a"))
        failed = session.scalars(select(AuditEntry.username).where(AuditEntry.action == "login_failed")).all()
        session.execute(update(StaffUser).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert failed.count("rev_a") == 6 and "nobody-here" in failed
    _, answer = login(app, "rev_a")
    assert answer.status_code == 303


def test_posts_without_csrf_fail(app, client, kiosk, as_user):
    case = new_case(app, client, kiosk)
    rev = as_user("rev_a")
    for path, data in [(f"/workspace/submissions/{case}/accept", {}), ("/workspace/search", {"q": "x"}),
                       ("/workspace/logout", {})]:  # fmt: skip
        assert rev.post(path, data, csrf=False).status_code == 400, path
        assert rev.post(path, {**data, "csrf_token": "forged"}, csrf=False).status_code == 400, path
    cross = rev.post(f"/workspace/submissions/{case}/accept", headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    with get_db(app).transaction() as session:
        assert session.scalars(select(StaffSession)).all()  # still logged in
    assert rev.post(f"/workspace/submissions/{case}/accept").status_code == 303
    # The login form has its own double-submit token.
    fresh = Browser(app.test_client())
    fresh.get("/workspace/login")
    assert (
        fresh.post("/workspace/login", {"username": "rev_a", "password": PASSWORD}, csrf=False).status_code
        == 400
    )


def test_anonymous_is_sent_to_login(app, staff):
    anonymous = app.test_client()
    assert anonymous.get("/workspace/inbox").headers["Location"].endswith("/workspace/login")
    assert anonymous.post("/workspace/search", data={"q": "x"}).status_code == 401
    page = anonymous.get("/workspace/login")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["Cache-Control"] == "no-store"


def test_create_user_rules(app):
    with get_db(app).transaction(write=True) as session:
        user = create_user(session, "wang.li", "reviewer", PASSWORD, department_code=DEPT_A, full_name="王丽")
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        for args, kw in [
            (("wang.li", "auditor", PASSWORD), {}),  # exists
            (("x1", "reviewer", PASSWORD), {}),  # no department
            (("x2", "reviewer", PASSWORD), {"department_code": "NOPE"}),
            (("x3", "station_staff", PASSWORD), {}),  # no station
            (("x4", "auditor", "short"), {}),
            (("Bad Name", "auditor", PASSWORD), {}),
            (("x5", "auditor", PASSWORD), {"station_code": "ST01"}),
        ]:
            with pytest.raises(WorkspaceError):
                create_user(session, *args, **kw)


def test_create_user_command(app):
    runner = CliRunner()
    base = ["server", "--home", app.config["HOME"], "--db", app.config["DATABASE_URL"], "create-user"]
    args = ["desk1", "--role", "station_staff", "--station", "ST01", "--password-stdin", "--json"]
    result = runner.invoke(cli, [*base, *args], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert '"station_code": "ST01"' in result.output and PASSWORD not in result.output
    bad = runner.invoke(
        cli, [*base, "desk2", "--role", "reviewer", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert bad.exit_code != 0 and "department" in bad.output
    _, answer = login(app, "desk1")
    assert answer.status_code == 303
