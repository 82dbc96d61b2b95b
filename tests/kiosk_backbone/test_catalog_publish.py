"""A catalog version published on the server reaches kiosks through real sync (issue 14):
an office edits the exported workbook, the CLI imports it into a draft and publishes it;
the online kiosk takes it at its next sync (its running app from the next visit on), the
offline one keeps working on the version it has and says so, the kiosk list shows who
runs what, and the offline one catches up."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from kiosk.runtime import open_kiosk
from kiosk.store import KioskStore, load_identity, save_identity
from kiosk.sync.catalog import CatalogCache
from kiosk.sync.enroll import enroll
from kiosk.sync.service import SyncService
from sync_server.db import get_db, utcnow
from sync_server.fleet import kiosk_overview
from tests.support.live_server import LiveServer, free_port, serving
from tongban_cli.main import cli

from .conftest import FAST, STATION

MATTER = "JC-BDC-001"
HOURS = "周一至周六 8:30-17:30（市域通办统一时间）"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """Its own server: publishing must not change the catalog under the session's shared one.
    SQLite only: versioning itself is tested on both databases in tests/server."""
    with serving("sqlite", tmp_path / "server") as server:
        yield server


def _kiosk(live: LiveServer, home: Path) -> KioskStore:
    enroll(home, live.url, live.enrollment_code(STATION))
    return KioskStore(home)


def _offline(store: KioskStore) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    save_identity(store.home, dataclasses.replace(load_identity(store.home), server_url=dead))


def _online(store: KioskStore, live: LiveServer) -> None:
    save_identity(store.home, dataclasses.replace(load_identity(store.home), server_url=live.url))


def _cli(live: LiveServer, *args: str) -> str:
    """``tongban server catalog …`` in this process (the same command; no interpreter start-up)."""
    answer = CliRunner().invoke(
        cli, ["server", "--home", str(live.home), "--db", live.db_url, "catalog", *args]
    )
    assert answer.exit_code == 0, answer.output
    return answer.output


def _edited_workbook(live: LiveServer, folder: Path) -> Path:
    exported = folder / "catalog.xlsx"
    _cli(live, "export", "-o", str(exported))
    book = openpyxl.load_workbook(exported)
    sheet = book["事项"]
    keys = [c.value for c in sheet[1]]
    row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == MATTER)
    sheet.cell(row, keys.index("guide.hours") + 1).value = HOURS
    out = io.BytesIO()
    book.save(out)
    edited = folder / "catalog-edited.xlsx"
    edited.write_bytes(out.getvalue())
    return edited


def test_published_version_reaches_the_online_kiosk_and_the_offline_one_keeps_its_own(
    live: LiveServer, tmp_path: Path
) -> None:
    online, offline = _kiosk(live, tmp_path / "k1"), _kiosk(live, tmp_path / "k2")
    closers = [online.close, offline.close]
    try:
        for store in (online, offline):
            report = SyncService(store, FAST).run_once()
            assert report.ok and report.catalog_updated, report.error
        first = CatalogCache(online.home).version()
        assert CatalogCache(offline.home).version() == first

        imported = json.loads(_cli(live, "import", str(_edited_workbook(live, tmp_path)), "--json"))
        assert imported["changes"]["changed"] == {MATTER: ["guide.hours"]}
        published = json.loads(_cli(live, "publish", imported["draft"], "--reason", "统一办理时间", "--json"))
        second = published["version"]
        assert second != first and published["based_on"] == first

        app = open_kiosk(online.home, "virtual", start_sync=False)  # the kiosk app, running
        closers.append(app.close)
        assert app.catalog.version.version == first

        _offline(offline)
        assert not SyncService(offline, FAST).run_once().ok  # the link is down
        report = SyncService(online, FAST).run_once()
        assert report.ok and report.catalog_updated and report.heartbeat, report.error

        assert CatalogCache(online.home).version() == second
        assert CatalogCache(online.home).current().matter(MATTER).guide.hours == HOURS
        assert app.catalog.version.version == first  # a visit under way keeps its version
        app.flow.home()  # the visit ends: the screen returns to home
        assert (
            app.catalog.version.version == second and app.service.catalog.matter(MATTER).guide.hours == HOURS
        )
        assert app.search.catalog is app.catalog and app.printing.catalog is app.catalog
        assert next(i.detail for i in app.health() if i.name == "catalog").startswith(
            second
        )  # the assist screen

        cache = CatalogCache(offline.home)
        assert cache.version() == first and cache.source == "cache"  # keeps working on its own
        assert cache.current().matter(MATTER).guide.hours != HOURS

        with get_db(live.in_app()).transaction() as session:
            rows = {r["kiosk_id"]: r["catalog_version"] for r in kiosk_overview(session, None, utcnow())}
        ids = {store: load_identity(store.home).kiosk_id for store in (online, offline)}
        assert rows[ids[online]] == second and rows[ids[offline]] == first  # who runs what

        _online(offline, live)
        assert SyncService(offline, FAST).run_once().catalog_updated
        assert CatalogCache(offline.home).version() == second
    finally:
        for close in reversed(closers):
            close()
