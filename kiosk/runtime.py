"""Open a kiosk home for the app: store, identity, catalog, scan pipeline, sync worker.

The one place where the real implementations are chosen; the app, the scripted visit
and the benchmark all start the kiosk through :func:`open_kiosk`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from pathlib import Path

from .context import KioskContext, build_context
from .hardware.profile import load_profile
from .store import KioskIdentity, KioskStore, NotEnrolled, save_identity
from .sync.catalog import CatalogCache
from .sync.service import SyncService, SyncSettings
from .sync.worker import SyncWorker
from .visit.backbone import StoreOutbox
from .visit.scan_adapter import PipelineCompleteness, PipelineScanner
from .visit.submit import KioskRef
from .visit.sync_adapter import WorkerSync

log = logging.getLogger(__name__)

OFFLINE_URL = "http://127.0.0.1:9"  # the discard port: nothing answers, the kiosk stays offline


def kiosk_catalog(home: Path):
    """The catalog this kiosk works with: the last one synced, else the packaged demo."""
    return CatalogCache(home).current()


def ensure_demo_identity(home: Path, station_code: Callable[[], str]) -> KioskIdentity:
    """For demos and screenshots on a kiosk never enrolled: an offline-only identity.

    Its submissions queue normally; they can be sent later only after a real enrollment
    (the server does not know this kiosk id).
    """
    store = KioskStore(home)
    try:
        return store.identity()
    except NotEnrolled:
        identity = KioskIdentity(
            kiosk_id="DEMO-K1",
            station_code=station_code(),
            secret=secrets.token_hex(16),
            server_url=OFFLINE_URL,
            kiosk_short="K1",
        )
        save_identity(home, identity)
        return identity
    finally:
        store.close()


def open_kiosk(
    home: Path, profile_name: str, *, start_sync: bool = True, sync_interval: float = 30.0
) -> KioskContext:
    """Raises NotEnrolled when the kiosk has no credentials, SchemaError for a bad profile."""
    home = Path(home)
    profile = load_profile(profile_name)
    store = KioskStore(home)
    try:
        identity = store.identity()
    except NotEnrolled:
        store.close()
        raise
    catalog = kiosk_catalog(home)
    worker = SyncWorker(SyncService(store, SyncSettings(interval=sync_interval, cycle_cap=120.0)))
    ctx = build_context(
        home=home,
        profile=profile,
        catalog=catalog,
        kiosk=KioskRef(identity.kiosk_id, identity.station_code),
        outbox=StoreOutbox(store, identity),
        scanner=PipelineScanner(home / "scans"),
        completeness=PipelineCompleteness(),
        sync=WorkerSync(worker, store),
    )
    ctx.closers += [store.close, worker.stop]
    if start_sync:
        worker.start()
    return ctx
