"""Fixtures of the kiosk backbone tests: kiosk homes, finalized submissions, a real server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.store import KioskIdentity, KioskStore, Outbox, save_identity
from kiosk.sync.enroll import enroll
from kiosk.sync.service import SyncService, SyncSettings
from tests.support.kiosk_factories import MATTER, STATION, applicant, finalize_one, jpeg_page
from tests.support.live_server import LiveServer, serving

FAST = SyncSettings(request_tries=3, retry_base=0.01, retry_cap=0.05, timeout=(3.0, 10.0), interval=0.05)
__all__ = ["FAST", "MATTER", "STATION", "applicant", "finalize_one", "jpeg_page"]


@pytest.fixture
def identity() -> KioskIdentity:
    return KioskIdentity(kiosk_id="KTEST1", station_code=STATION, secret="s" * 43, server_url="http://127.0.0.1:9",
                         kiosk_short="KTEST1", bundle_key="b" * 64)  # fmt: skip


@pytest.fixture
def home(tmp_path: Path, identity: KioskIdentity) -> Path:
    path = tmp_path / "kiosk"
    path.mkdir()
    save_identity(path, identity)
    return path


@pytest.fixture
def store(home: Path) -> Iterator[KioskStore]:
    with KioskStore(home) as opened:
        yield opened


@pytest.fixture
def outbox(store: KioskStore) -> Outbox:
    return Outbox(store)


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TONGBAN_TEST_PG") else ["sqlite"]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real sync server (werkzeug thread, SQLite), shared: each test enrolls its own kiosk."""
    with serving("sqlite", tmp_path_factory.mktemp("server")) as live:
        yield live


@pytest.fixture
def enrolled(tmp_path: Path, server: LiveServer) -> Iterator[KioskStore]:
    """A kiosk home enrolled at the live server."""
    path = tmp_path / "enrolled"
    enroll(path, server.url, server.enrollment_code(STATION))
    with KioskStore(path) as opened:
        yield opened


@pytest.fixture
def service(enrolled: KioskStore) -> SyncService:
    return SyncService(enrolled, FAST)
