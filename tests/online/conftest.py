"""Online-zone fixtures: the server's app fixtures (SQLite and PostgreSQL) and a signed-in resident.

A resident signs in the way a phone does: the sign-in form, the code read back from
``sms_log`` (what ``LogTableSender`` wrote instead of a gateway), the verify form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from sync_server.db import get_db
from sync_server.workspace.models import SmsLogEntry
from tests.server import conftest as server
from tests.workspace import conftest as workspace

pg_database, sqlite_template, db_url = server.pg_database, server.sqlite_template, server.db_url
app, client, kiosk, restore_catalog = server.app, server.client, server.kiosk, server.restore_catalog
# staff accounts and a logged-in staff browser (the inbox side of an online case)
password_hash, staff, as_user = workspace.password_hash, workspace.staff, workspace.as_user

PHONE = "13800138000"
OTHER_PHONE = "13900139000"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_CODE = re.compile(r"验证码是(\d{6})")


def last_code(app: Flask, phone: str) -> str:
    with get_db(app).transaction() as session:
        texts = session.scalars(
            select(SmsLogEntry.text).where(SmsLogEntry.phone == phone).order_by(SmsLogEntry.id.desc())
        ).all()
    found = next((m.group(1) for m in map(_CODE.search, texts) if m), None)
    assert found, f"no sign-in code was sent to {phone}"
    return found


@dataclass
class Phone:
    """A phone's browser on Flask's test client, keeping the last page's CSRF token."""

    http: Any
    address: str = "10.0.0.1"
    csrf: str = ""
    last: Any = field(default=None, repr=False)

    def get(self, path: str, **kw: Any) -> Any:
        response = self.http.get(path, environ_base={"REMOTE_ADDR": self.address}, **kw)
        self._remember(response)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kw: Any) -> Any:
        body = dict(data or {})
        if csrf:
            body.setdefault("csrf_token", self.csrf)
        response = self.http.post(path, data=body, environ_base={"REMOTE_ADDR": self.address}, **kw)
        self._remember(response)
        return response

    def _remember(self, response: Any) -> None:
        self.last = response
        found = _CSRF.search(response.get_data(as_text=True)) if response.mimetype == "text/html" else None
        if found:
            self.csrf = found.group(1)

    def ask_code(self, phone: str) -> Any:
        self.get("/online/sign-in")
        return self.post("/online/sign-in", {"phone": phone, "next": "/online/"})

    def sign_in(self, app: Flask, phone: str) -> Any:
        assert self.ask_code(phone).status_code == 200
        code = last_code(app, phone)
        response = self.post("/online/verify", {"phone": phone, "code": code, "next": "/online/"})
        assert response.status_code == 303, response.get_data(as_text=True)
        self.get("/online/")  # the signed-in page carries the session's CSRF token
        return response


@pytest.fixture
def phone(app: Flask) -> Phone:
    return Phone(app.test_client())


@pytest.fixture
def resident(app: Flask) -> Phone:
    """Signed in as :data:`PHONE`."""
    browser = Phone(app.test_client())
    browser.sign_in(app, PHONE)
    return browser
