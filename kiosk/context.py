"""Everything a running kiosk is made of, assembled once and handed to every screen.

No Kivy here: the same context drives the Kivy app, the scripted visit and the tests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from shared_schema import Catalog
from shared_schema.workcalendar import WorkCalendar

from .catalog_snapshot import cache_dir
from .hardware import Devices, HardwareProfile, build_devices
from .i18n import install
from .visit.flow import VisitFlow
from .visit.handover import HandoverDesk
from .visit.health import HealthItem, disk_probe, health_report, sync_probe
from .visit.pin import AssistPin
from .visit.ports import Outbox, Scanner, SyncControl
from .visit.printing import PrintService
from .visit.search import CatalogSearch
from .visit.service import VisitService
from .visit.submit import KioskRef
from .visit.transfer_watch import TransferWatch

if TYPE_CHECKING:
    from .store.home import KioskStore
    from .sync.client import ApiClient
    from .visit.feedback import FeedbackDesk
    from .visit.mailing import MailingDesk
    from .visit.results import ResultDesk
    from .visit.supplement import SupplementDesk
    from .visit.supplement_visit import SupplementVisit

log = logging.getLogger(__name__)


@dataclass
class KioskContext:
    home: Path
    profile: HardwareProfile
    devices: Devices
    catalog: Catalog
    kiosk: KioskRef
    flow: VisitFlow
    service: VisitService
    search: CatalogSearch
    printing: PrintService
    pin: AssistPin
    handovers: HandoverDesk
    scanner: Scanner
    outbox: Outbox
    sync: SyncControl
    supplements: SupplementDesk | None = None  # 补正: None without a kiosk store (tests of the visit)
    mailings: MailingDesk | None = None  # 原件寄送 tracking numbers: None without a kiosk store
    results: ResultDesk | None = None  # printing results kept here or fetched (electronic)
    feedback: FeedbackDesk | None = None  # 意见建议 queued here, answers read by receipt number
    supplement_visit: SupplementVisit | None = None  # the 补正 under way, handed to its screen
    transfer: TransferWatch = field(default_factory=TransferWatch)  # the 2-working-day promise
    closers: list = field(default_factory=list)
    # run on the UI thread while a resident waits for slow work (the app collects garbage then)
    on_wait: Callable[[], None] = field(default=lambda: None)

    def station_name(self) -> str:
        try:
            return self.catalog.station(self.kiosk.station_code).name
        except KeyError:
            return self.kiosk.station_code

    def health(self) -> list[HealthItem]:
        d = self.devices
        return health_report(
            {
                "camera": d.camera.probe,
                "printer": d.printer.probe,
                "id_reader": d.id_reader.probe,
                "voice": d.voice.probe,
                "disk": disk_probe(self.home),
                "sync": sync_probe(self.sync.last_sync),
                "catalog": lambda: (
                    True,
                    f"{self.catalog.version.version} ({len(self.catalog.matters)} matters)",
                ),
            }
        )

    def close(self) -> None:
        for close in reversed(self.closers):
            try:
                close()
            except Exception:  # closing must go on for the rest
                log.exception("error while closing the kiosk")
        self.devices.close()


def build_context(
    home: Path,
    profile: HardwareProfile,
    catalog: Catalog,
    kiosk: KioskRef,
    outbox: Outbox,
    scanner: Scanner,
    completeness,
    sync: SyncControl,
    store: KioskStore | None = None,
    client: Callable[[], ApiClient] | None = None,
) -> KioskContext:
    install(profile.language)
    devices = build_devices(profile, home)
    flow = VisitFlow(home / "drafts", idle_timeout_s=profile.idle_timeout_s)
    printing = PrintService(catalog, kiosk, devices.printer)
    supplements = results = mailings = feedback = None
    if store is not None and client is not None:
        from .visit.feedback import FeedbackDesk
        from .visit.mailing import MailingDesk

        mailings = MailingDesk(store, kiosk.station_code, catalog)
        feedback = FeedbackDesk(store, kiosk.station_code, catalog, client)
        from .visit.results import ResultDesk
        from .visit.supplement import SupplementDesk

        supplements = SupplementDesk(store, kiosk, printing, client)
        results = ResultDesk(
            store,
            printing,
            client,
            devices.id_reader if profile.id_reader.kind != "none" else None,
            applicant_id=outbox.applicant_id,
            applicant_uscc=outbox.applicant_uscc,
        )
    return KioskContext(
        home=home,
        profile=profile,
        devices=devices,
        catalog=catalog,
        kiosk=kiosk,
        flow=flow,
        service=VisitService(catalog, flow, kiosk, outbox, completeness),
        search=CatalogSearch(catalog, cache_dir()),
        printing=printing,
        pin=AssistPin(home, profile.assist.pin_hash, profile.assist.max_failures, profile.assist.lockout_s),
        handovers=HandoverDesk(outbox, devices.id_reader),
        scanner=scanner,
        outbox=outbox,
        sync=sync,
        supplements=supplements,
        mailings=mailings,
        results=results,
        feedback=feedback,
        transfer=TransferWatch(WorkCalendar(catalog.holidays)),
    )
