"""The way back through the real Kivy app (issue 11): 补交材料 and 打印办理结果 on the
progress screen, kiosk under Xvfb ⇄ a live server.

Collect with an item missing → the reviewer asks for it → the feed brings the notice →
the app, offline, shows the notice and takes only the listed items (real camera frames
through the real scan worker), prints the 补正材料接收凭证 → the sync sends it once → the
case holds the pages → completed for pickup, the result PDF reaches the kiosk → the app
prints it for the resident after the typed ID number; a wrong ID number prints nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kiosk.hardware.printer import PdfFilePrinter
from kiosk.runtime import OFFLINE_URL
from kiosk.store import KioskStore, Outbox, save_identity
from kiosk.sync.catalog import CatalogCache
from kiosk.sync.client import ApiClient
from kiosk.sync.service import SyncService
from kiosk.visit.backbone import StoreOutbox
from kiosk.visit.printing import PrintService
from kiosk.visit.results import NOT_APPLICANT_ZH, ResultDesk
from kiosk.visit.submit import KioskRef
from tests.kiosk_app.kiosk_run import run_kiosk
from tests.support.live_server import LiveServer

from .conftest import FAST, finalize_one
from .test_results import complete_on_server
from .test_supplements import FORM, FREE_TEXT, ask_correction, case_on_server


@contextmanager
def offline(store: KioskStore) -> Iterator[None]:
    """The kiosk cut off from the server (its identity points where nothing answers): the
    app runs without its sync worker and every lookup fails as with the network down."""
    identity = store.identity()
    save_identity(store.home, dataclasses.replace(identity, server_url=OFFLINE_URL))
    try:
        yield
    finally:
        save_identity(store.home, identity)


def test_the_app_takes_a_supplement_offline_and_prints_the_result_after_the_id_check(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path
) -> None:
    uuid = finalize_one(enrolled, seed=611, pages=3)  # the registration form is missing
    assert service.run_once().ok
    receipt = Outbox(enrolled).get(uuid).receipt_no
    outbox = StoreOutbox(enrolled, enrolled.identity())
    _state, originals, _at = case_on_server(server, receipt)
    ask_correction(server, receipt, [FORM, FREE_TEXT])
    assert service.run_once().ok  # the feed brings the notice; the app below runs offline

    shots = tmp_path / "shots"
    with offline(enrolled):
        report = run_kiosk(enrolled.home, "return", shots, timeout=600)
    assert report["ok"], (report["error"], report["screenshots"][-1:])
    [done] = report["return_path"]["supplements"]
    assert done["receipt_no"] == receipt and done["items"] == ["registration_form", "item-2"]
    assert done["accessible_seen"] is True  # the header's mode reached the notice screen
    slip = Path(done["slip_pdf"]).read_bytes()
    assert slip.startswith(b"%PDF") and b"/FontFile" in slip
    names = [Path(p).name for p in report["screenshots"]]
    for shot in ("supplement-notice", "supplement-notice-accessible", "supplement-check", "supplement-done"):
        assert any(shot in n for n in names), names

    sent = service.run_once()
    assert sent.ok and sent.supplements_sent == 1, sent.to_dict()
    state, pages, _at = case_on_server(server, receipt)
    assert state == "routed"
    assert pages[: len(originals)] == originals
    assert [code for mark, code in pages[len(originals) :]] == ["registration_form", "item-2"]
    assert all(mark == 1 for mark, _code in pages[len(originals) :])
    assert service.run_once().supplements_sent == 0  # exactly once

    sha = complete_on_server(server, receipt, "pickup")
    assert service.run_once().ok  # the feed announces it, the kiosk fetches and seals the PDF
    applicant_id = outbox.applicant_id(receipt)
    assert applicant_id

    ident = enrolled.identity()
    paper = tmp_path / "paper"
    desk = ResultDesk(
        enrolled,
        PrintService(CatalogCache(enrolled.home).current(), KioskRef(ident.kiosk_id, ident.station_code),
                     PdfFilePrinter(paper)),
        lambda: ApiClient(ident.server_url, ident, timeout=FAST.timeout),
        applicant_id=outbox.applicant_id,
    )  # fmt: skip
    wrong = "11010519491231002X" if applicant_id != "11010519491231002X" else "110105194912310021"
    refused = desk.print_for_resident(receipt, wrong)
    assert (refused.ok, refused.message_zh, refused.outcome) == (False, NOT_APPLICANT_ZH, None)
    assert not paper.exists() or not list(paper.iterdir())

    with offline(enrolled):  # the result is kept here: printing it needs no network
        report = run_kiosk(enrolled.home, "return", tmp_path / "shots2", timeout=600)
    assert report["ok"], (report["error"], report["screenshots"][-1:])
    assert report["return_path"]["supplements"] == []  # answered already: not offered again
    [printed] = report["return_path"]["prints"]
    assert printed["receipt_no"] == receipt
    assert printed["offers"] == ["result"]  # the answered correction is not offered again
    assert printed["lines"] == ["办理结果已打印，请取走"]
    [result_pdf] = [Path(p) for p in printed["prints"] if Path(p).name.startswith("result")]
    assert hashlib.sha256(result_pdf.read_bytes()).hexdigest() == sha  # as the department issued it
