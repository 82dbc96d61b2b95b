"""Fixtures of the kiosk app tests: the demo catalog, a kiosk home with an identity."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.store import KioskIdentity, KioskStore, save_identity
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
