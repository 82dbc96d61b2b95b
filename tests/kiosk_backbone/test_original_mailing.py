"""原件寄送, kiosk ⇄ real server: staff enter the tracking number of the originals mailed
with the transfer slip (MailingDesk on the kiosk's real store); it is queued sealed, synced
exactly once, kept on the case on the server, and shown on the transfer slip; a second
mailing and a case whose guide wants no original are refused at the kiosk already.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from kiosk.store import KioskStore, Outbox
from kiosk.store.db import DB_FILE
from kiosk.store.mailings import OriginalMailings
from kiosk.sync.catalog import CatalogCache
from kiosk.sync.service import SyncService
from kiosk.visit.mailing import MailingDesk, MailingRefused
from sync_server.db import get_db
from sync_server.models import Submission
from sync_server.workspace import paperwork
from tests.support.live_server import LiveServer, serving

from .conftest import STATION, backends, finalize_one

MOVE = "JC-GA-002"  # 户口迁移: the guide wants the 户口簿 original by post


@pytest.fixture(scope="module", params=backends())
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The live server of these tests, on SQLite and (when it answers) PostgreSQL."""
    with serving(request.param, tmp_path_factory.mktemp(f"mailing-{request.param}")) as live:
        yield live


def _desk(store: KioskStore) -> MailingDesk:
    return MailingDesk(store, STATION, CatalogCache(store.home).current())


def test_a_tracking_number_reaches_the_case_once(
    enrolled: KioskStore, service: SyncService, server: LiveServer
) -> None:
    outbox = Outbox(enrolled)
    moving = outbox.get(finalize_one(enrolled, seed=401, pages=4, matter=MOVE)).receipt_no
    plain = outbox.get(finalize_one(enrolled, seed=402)).receipt_no
    desk = _desk(enrolled)
    assert desk.originals(moving) == ["迁出地居民户口簿（户主页及迁移人页）"]

    with pytest.raises(MailingRefused, match="不需要寄送原件"):
        desk.record(plain, "EA123456789CN", "李明")
    with pytest.raises(MailingRefused, match="6 至 32 位"):
        desk.record(moving, "EA12", "李明")
    view = desk.record(moving, "ea 1234-5678 9cn", "李明")  # as typed: spaces, dashes, lower case
    assert (view.tracking_no, view.state) == ("EA123456789CN", "等待同步")
    with pytest.raises(MailingRefused, match="已登记过"):
        desk.record(moving, "SF1234567890123", "李明")

    raw = sqlite3.connect(enrolled.home / DB_FILE)  # sealed at rest: the staff name is not readable
    try:
        blob = b"".join(r[0] for r in raw.execute("SELECT payload_enc FROM original_mailings"))
    finally:
        raw.close()
    assert "李明".encode() not in blob and b"EA123456789CN" not in blob

    report = service.run_once()
    assert report.ok, report.error
    assert report.mailings_sent == 1
    assert desk.for_receipt(moving).state == "已同步至平台"
    assert service.run_once().mailings_sent == 0  # sent once: nothing left to send

    rows = server.query("SELECT receipt_no, tracking_no, recorded_by FROM original_mailings")
    assert [tuple(r) for r in rows] == [(moving, "EA123456789CN", "李明")]
    with get_db(server.in_app()).transaction() as session:
        sub = session.scalars(select(Submission).where(Submission.receipt_no == moving)).one()
        slip = paperwork.render(session, sub, "transfer_slip") or b""
    text = "".join("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(slip)).pages).split())
    assert "快递单号：EA123456789CN" in text and "随本单寄送原件：迁出地居民户口簿" in text


def test_a_refused_mailing_is_held_with_its_reason(
    enrolled: KioskStore, service: SyncService, server: LiveServer
) -> None:
    """The server refuses a second mailing of the case recorded by another kiosk of the
    station: this kiosk holds its own with the reason, and never sends it again."""
    outbox = Outbox(enrolled)
    moving = outbox.get(finalize_one(enrolled, seed=411, pages=4, matter=MOVE)).receipt_no
    assert service.run_once().ok
    queue = OriginalMailings(enrolled)
    first = queue.record(moving, station_code=STATION, tracking_no="SF1234567890123", recorded_by="李明")
    assert service.run_once().mailings_sent == 1
    queue.record(moving, station_code=STATION, tracking_no="EA123456789CN", recorded_by="赵六")  # a twin
    assert service.run_once().mailings_sent == 0
    assert _desk(enrolled).held() == [f"{moving}：该办件的原件寄送已登记过"]
    assert service.run_once().mailings_sent == 0 and queue.pending() == []
    query = "SELECT mailing_uuid, tracking_no FROM original_mailings WHERE receipt_no = :r"
    rows = server.query(query, r=moving)
    assert [(str(r[0]).replace("-", ""), r[1]) for r in rows] == [(first.mailing_uuid.hex, "SF1234567890123")]
