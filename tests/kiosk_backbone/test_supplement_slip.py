"""A printer that fails after the supplement was queued (issue 11): the supplement stays
queued once, the kiosk says so, and the slip prints once the printer is back."""

from __future__ import annotations

from pathlib import Path

from kiosk.hardware.printer import PdfFilePrinter
from kiosk.store import KioskStore
from kiosk.sync.catalog import CatalogCache
from kiosk.visit.printing import PrintService
from kiosk.visit.submit import KioskRef
from kiosk.visit.supplement import SupplementDesk, SupplementPage
from kiosk.visit.supplement_visit import SupplementVisit
from shared_schema.supplement import CorrectionItem, LookupAnswer

from .conftest import jpeg_page

RECEIPT = "CQ0100-KTEST1-20261130-0002"


def test_a_failed_slip_never_queues_the_supplement_twice(store: KioskStore, tmp_path: Path) -> None:
    ident = store.identity()
    jam = tmp_path / "printer"
    jam.write_bytes(b"")  # a file where the printer's output folder goes: every print fails for real
    kiosk = KioskRef(ident.kiosk_id, ident.station_code)
    printer = PdfFilePrinter(jam / "out")
    desk = SupplementDesk(store, kiosk, PrintService(CatalogCache(store.home).current(), kiosk, printer))
    notice = LookupAnswer(
        receipt_no=RECEIPT,
        correction_round=1,
        items=[CorrectionItem(key="item-1", text="户口簿本人页")],
        message="请补交户口簿本人页",
    )
    visit = SupplementVisit(desk, notice)
    visit.add("item-1", SupplementPage(jpeg_page(3), "image/jpeg", 120, 90))

    done = visit.confirm()
    assert done.printed is not None and not done.printed.ok and not visit.printed
    assert "NotADirectoryError" in done.printed.detail or "FileExistsError" in done.printed.detail
    assert visit.confirm() is done  # tapping again answers what was done, queues nothing
    assert desk.queue.backlog().waiting == 1
    assert desk.submitted(RECEIPT).endswith("（等待发送），无需再次提交")  # the progress screen's truth

    jam.unlink()  # the printer is back
    again = visit.reprint()
    assert again.manifest == done.manifest and visit.printed
    assert again.printed is not None and again.printed.pdf_path.read_bytes().startswith(b"%PDF")
    assert desk.queue.backlog().waiting == 1
    desk.queue.sent(done.manifest)
    assert desk.submitted(RECEIPT).endswith("（已发送至平台），无需再次提交")
    assert desk.submitted("CQ0100-KTEST1-20261130-0009") is None
