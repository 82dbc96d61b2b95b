"""Fixtures of the kiosk app tests: the demo catalog, a kiosk home with an identity."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.store import KioskIdentity, KioskStore, save_identity
from kiosk.visit.backbone import StoreOutbox
from kiosk.visit.flow import VisitFlow
from kiosk.visit.ports import ScannedPage
from kiosk.visit.scan_adapter import PipelineCompleteness
from kiosk.visit.service import VisitService
from kiosk.visit.submit import KioskRef
from shared_schema import Catalog, load_catalog

STATION = "CQ0100"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def kiosk_home(tmp_path: Path) -> Path:
    home = tmp_path / "kiosk"
    home.mkdir()
    save_identity(
        home,
        KioskIdentity(
            kiosk_id="KAPP1",
            station_code=STATION,
            secret="s" * 43,
            server_url="http://127.0.0.1:9",
            kiosk_short="KAPP1",
        ),
    )
    return home


@pytest.fixture
def store(kiosk_home: Path) -> Iterator[KioskStore]:
    with KioskStore(kiosk_home) as opened:
        yield opened


def page(seed: int, **fields: str) -> ScannedPage:
    """An accepted scan (a few bytes standing for the stored image) with read fields."""
    return ScannedPage(
        ok=True, problems=[], data=b"\xff\xd8page%d" % seed, width=800, height=600, fields=fields
    )


@pytest.fixture
def service(tmp_path: Path, catalog: Catalog, store: KioskStore, kiosk_home: Path) -> VisitService:
    """The visit service on the real outbox and completeness check of a kiosk home."""
    identity = store.identity()
    return VisitService(
        catalog,
        VisitFlow(tmp_path / "drafts"),
        KioskRef(identity.kiosk_id, STATION),
        StoreOutbox(store, identity),
        PipelineCompleteness(),
    )
