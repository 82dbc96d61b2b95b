"""Open a kiosk home for the app: store, identity, catalog, scan pipeline, sync worker.

The one place where the real implementations are chosen; the app, the scripted visit
and the benchmark all start the kiosk through :func:`open_kiosk`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from pathlib import Path

from .catalog_adopt import adopt_between_visits
from .context import KioskContext, build_context
from .hardware.profile import load_profile
from .store import KioskIdentity, KioskStore, NotEnrolled, save_identity
from .sync.catalog import CatalogCache
from .sync.client import ApiClient
from .sync.service import SyncService, SyncSettings
from .sync.worker import SyncWorker
from .visit.backbone import StoreOutbox
from .visit.flow import VisitFlow
from .visit.scan_adapter import PipelineCompleteness
from .visit.scan_process import ProcessScanner
from .visit.steps import Step
from .visit.submit import KioskRef
from .visit.sync_adapter import WorkerSync

log = logging.getLogger(__name__)

OFFLINE_URL = "http://127.0.0.1:9"  # the discard port: nothing answers, the kiosk stays offline
# the worker loads its OCR models here: from the guide on, so that its start (a process
# importing OpenCV and ONNX on a 2-core box) is not drawn against the identity screen
CAPTURE_STEPS = {Step.guide, Step.identity, Step.materials, Step.supplement}
SCAN_STEPS = CAPTURE_STEPS | {Step.check, Step.status_pickup, Step.assist}  # elsewhere it stops
SCAN_IDLE_STOP_S = 90.0


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
    scanner = ProcessScanner(home / "scans", idle_stop_s=SCAN_IDLE_STOP_S, engine=profile.scan.engine)
    worker = SyncWorker(SyncService(store, SyncSettings(interval=sync_interval, cycle_cap=120.0)))
    ctx = build_context(
        home=home,
        profile=profile,
        catalog=catalog,
        kiosk=KioskRef(identity.kiosk_id, identity.station_code),
        outbox=StoreOutbox(store, identity),
        scanner=scanner,
        completeness=PipelineCompleteness(),
        sync=WorkerSync(worker, store),
        store=store,
        client=lambda: ApiClient(identity.server_url, identity, timeout=(3.0, 20.0)),
    )
    ctx.closers += [store.close, worker.stop, scanner.close]
    adopt_between_visits(ctx, home)  # a newly synced version, from the next visit on
    scan_worker_follows(ctx.flow, scanner)
    if start_sync:
        worker.start()
    return ctx


def scan_worker_follows(flow: VisitFlow, scanner: ProcessScanner) -> None:
    """Start the scan worker where the visit captures, stop it where no step scans.

    Its OCR models then occupy memory only while someone is scanning (see
    ``kiosk/visit/scan_process.py``); the progress screen's QR reader starts a light
    worker on demand.
    """

    def follow(_before: Step, after: Step) -> None:
        if after in CAPTURE_STEPS:
            scanner.start(preload=True)
        elif after not in SCAN_STEPS:
            scanner.stop()

    flow.subscribe(follow)
