"""The kiosk's feedback desk on a test store, and the city administrator answering residents'
feedback in a live server's workspace (the real login and answer pages)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kiosk.store import KioskStore
from kiosk.sync.catalog import CatalogCache
from kiosk.sync.client import ApiClient
from kiosk.visit.feedback import FeedbackDesk
from sync_server.db import get_db
from sync_server.workspace.accounts import hash_password
from sync_server.workspace.models import StaffUser
from tests.workspace.conftest import PASSWORD, login

from .live_server import LiveServer

ADMIN = "fb-admin"


def feedback_desk(store: KioskStore, station_code: str) -> FeedbackDesk:
    identity = store.identity()
    catalog = CatalogCache(store.home).current()
    return FeedbackDesk(store, station_code, catalog, lambda: ApiClient(identity.server_url, identity))


def workspace_admin(server: LiveServer) -> Any:
    """The city administrator logged in to the live server's workspace (created once)."""
    app = server.in_app()
    with get_db(app).transaction(write=True) as session:
        if session.scalars(select(StaffUser).where(StaffUser.username == ADMIN)).first() is None:
            session.add(StaffUser(username=ADMIN, role="city_admin", full_name="赵管理", active=True,
                                  password_hash=hash_password(PASSWORD), failed_logins=0))  # fmt: skip
    browser, answer = login(app, ADMIN)
    assert answer.status_code == 303
    return browser


def answer_in_workspace(server: LiveServer, feedback_no: str, text: str) -> None:
    """The administrator finds the note on the feedback page and answers it there."""
    admin = workspace_admin(server)
    assert feedback_no in admin.get("/workspace/feedback").get_data(as_text=True)
    [row] = server.query("SELECT id FROM feedback WHERE feedback_no = :n", n=feedback_no)
    assert admin.post(f"/workspace/feedback/{row.id}/answer", {"answer": text}).status_code == 303
