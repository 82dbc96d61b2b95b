"""Workspace fixtures: the server helper's app/kiosk fixtures, staff accounts, a logged-in browser.

Runs on SQLite always and on PostgreSQL when TONGBAN_TEST_PG is set (the ``db_url``
fixture of tests/server is parametrised over both). Staff accounts are inserted with one
argon2 hash computed per session (hashing is deliberately slow); ``create_user`` itself
is tested separately.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy import select

from sync_server import migrate
from sync_server.db import get_db
from sync_server.models import Submission
from sync_server.workspace.accounts import hash_password
from sync_server.workspace.models import StaffUser
from tests.server import conftest as server
from tests.server.conftest import BACKENDS, PG_URL, ApiClient, KioskCreds, enroll_kiosk, submit
from tests.server.factories import CHINA, QINSHUI, STATION_ZEZHOU, ZEZHOU, make_manifest

# The server helper's fixture chain (app → client → kiosk), on SQLite and PostgreSQL.
pg_database, sqlite_template, db_url = server.pg_database, server.sqlite_template, server.db_url
app, client, kiosk, other_kiosk = server.app, server.client, server.kiosk, server.other_kiosk
restore_catalog = server.restore_catalog  # for tests that edit a stored guide

PASSWORD = "correct horse battery"
DEPT_A = f"SB-{QINSHUI}"  # decides HOME_MATTER for applicants from 沁水县
DEPT_B = f"SB-{ZEZHOU}"
USERS = {
    "rev_a": ("reviewer", DEPT_A, None, "王审核"),
    "rev_b": ("reviewer", DEPT_B, None, "李审核"),
    "admin": ("city_admin", None, None, "赵管理"),
    "station": ("station_staff", None, STATION_ZEZHOU, "钱窗口"),
    "auditor": ("auditor", None, None, "孙审计"),
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def staff(app: Flask, password_hash: str) -> dict[str, int]:
    """The five test accounts; returns their ids by username."""
    with get_db(app).transaction(write=True) as session:
        rows = [
            StaffUser(username=name, role=role, department_code=dept, station_code=station, full_name=full,
                      password_hash=password_hash, active=True, failed_logins=0)
            for name, (role, dept, station, full) in USERS.items()
        ]  # fmt: skip
        session.add_all(rows)
        session.flush()
        return {row.username: row.id for row in rows}


@dataclass
class Browser:
    """A logged-in staff member on Flask's test client, keeping the page's CSRF token."""

    http: Any
    csrf: str = ""

    def get(self, path: str, **kw: Any) -> Any:
        response = self.http.get(path, **kw)
        found = _CSRF.search(response.get_data(as_text=True)) if response.mimetype == "text/html" else None
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kw: Any) -> Any:
        body = dict(data or {})
        if csrf:
            body.setdefault("csrf_token", self.csrf)
        return self.http.post(path, data=body, **kw)


def login(app: Flask, username: str, password: str = PASSWORD) -> tuple[Browser, Any]:
    browser = Browser(app.test_client())
    browser.get("/workspace/login")
    answer = browser.post("/workspace/login", {"username": username, "password": password})
    browser.get("/workspace/", follow_redirects=True)
    return browser, answer


@pytest.fixture
def as_user(app: Flask, staff: dict[str, int]):  # type: ignore[no-untyped-def]
    def make(username: str) -> Browser:
        browser, answer = login(app, username)
        assert answer.status_code == 303, answer.get_data(as_text=True)
        assert browser.csrf
        return browser

    return make


def new_case(app: Flask, client: ApiClient, kiosk: KioskCreds, seq: int = 1, **kw: Any) -> int:
    """Commit one submission through the real API; its database id."""
    manifest, blobs = make_manifest(kiosk.kiosk_id, seq=seq, **kw)
    answer = submit(client, kiosk, manifest, blobs)
    assert answer.status_code == 201, answer.get_json()
    with get_db(app).transaction() as session:
        return session.scalar(select(Submission.id).where(Submission.receipt_no == manifest.receipt_no))


@contextmanager
def database_at(backend: str, tmp_path: Path, revision: str) -> Iterator[str]:
    """An empty database of its own at an older ``revision`` (a migration's test fills it
    as that revision stored rows, then upgrades it); a PostgreSQL one is dropped after."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        migrate.upgrade(url, revision)
        yield url
        return
    assert PG_URL
    name = f"tongban_t_{secrets.token_hex(4)}"
    admin = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_URL.rsplit('/', 1)[0]}/{name}"
    try:
        migrate.upgrade(url, revision)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


__all__ = [
    "BACKENDS",
    "CHINA",
    "DEPT_A",
    "DEPT_B",
    "PASSWORD",
    "Browser",
    "database_at",
    "enroll_kiosk",
    "login",
    "new_case",
    "submit",
]
