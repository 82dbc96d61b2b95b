"""Results back to the station, kiosk ⇄ real server (issue 11 §2).

A department completes a case with a result PDF for pickup → the collecting kiosk's sync
stores it sealed (no plaintext PDF anywhere in the home), hash-checked, and purges it a
set time after the handover; an electronic result is printed at another station's kiosk
with the right ID number and refused alike with a wrong one or an unknown receipt;
past the per-kiosk budget the resident reads a clear Chinese message.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen import canvas
from sqlalchemy import select

from kiosk.hardware.printer import PdfFilePrinter
from kiosk.store import KioskStore, Outbox
from kiosk.store import results as stored_results
from kiosk.store.models import ReceivedResult
from kiosk.store.purge import purge
from kiosk.sync import feed
from kiosk.sync import results as sync_results
from kiosk.sync.enroll import enroll
from kiosk.sync.service import SyncService
from kiosk.visit.printing import PrintService
from kiosk.visit.results import ResultDesk
from kiosk.visit.submit import KioskRef
from shared_schema import Delivery, SubmissionState
from tests.support.live_server import LiveServer, serving
from tests.support.server_staff import reviewer_for

from .conftest import FAST, applicant, backends, finalize_one

OTHER_STATION = "CQ0600"
MARK = b"TONGBAN-RESULT-PLAINTEXT-MARK-4242"


def result_pdf() -> bytes:
    """A real one-page PDF whose content stream carries a recognisable plaintext mark."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pageCompression=0)
    page.drawString(72, 720, MARK.decode())
    page.save()
    return out.getvalue()


@pytest.fixture(scope="module", params=backends())
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The live server of these tests, on SQLite and (when it answers) PostgreSQL."""
    with serving(request.param, tmp_path_factory.mktemp(f"results-{request.param}")) as live:
        yield live


def sent_case(store: KioskStore, service: SyncService, **submission: Any) -> str:
    """A submission finalized at this kiosk and synced; its receipt number."""
    uuid = finalize_one(store, **submission)
    assert service.run_once().ok
    return Outbox(store).get(uuid).receipt_no


def complete_on_server(
    server: LiveServer,
    receipt_no: str,
    delivery: str,
    kind: str = "electronic_certificate",
    tracking: str = "",
) -> str | None:
    """Accept and complete the case (an electronic result unless ``kind`` says paper); the
    stored (stamped) PDF's sha256."""
    from sync_server.blobstore import get_store
    from sync_server.db import get_db
    from sync_server.events import record_event
    from sync_server.models import Submission
    from sync_server.workspace.closing import ResultInput, complete
    from sync_server.workspace.models import CaseResult

    app = server.in_app()
    with get_db(app).transaction(write=True) as s:
        sub = s.scalars(select(Submission).where(Submission.receipt_no == receipt_no)).one()
        user = reviewer_for(s, sub)
        record_event(s, sub, SubmissionState.accepted, "已受理（测试）", actor=user.username)
        pdf = result_pdf() if kind == "electronic_certificate" else None
        ask = ResultInput(kind=kind, delivery=delivery, opinion="准予", pdf=pdf, tracking_no=tracking or None)
        complete(s, sub, user, ask, get_store(app), 10_000_000)
        return s.scalars(select(CaseResult.sha256).where(CaseResult.submission_id == sub.id)).one()


def deliver_on_server(server: LiveServer, receipt_no: str) -> None:
    from sync_server.db import get_db
    from sync_server.models import Submission
    from sync_server.workspace.closing import deliver
    from sync_server.workspace.models import StaffUser

    with get_db(server.in_app()).transaction(write=True) as s:
        sub = s.scalars(select(Submission).where(Submission.receipt_no == receipt_no)).one()
        desk = StaffUser(
            username=f"desk-{receipt_no}"[:40], role="station_staff", full_name="窗口",
            station_code=sub.station_code, password_hash="-", active=True, failed_logins=0,
        )  # fmt: skip
        s.add(desk)
        s.flush()
        deliver(s, sub, desk, id_check=sub.applicant_id_number or "")


def files_holding(home: Path, needle: bytes) -> list[Path]:
    return [p for p in home.rglob("*") if p.is_file() and needle in p.read_bytes()]


def desk_for(store: KioskStore, tmp: Path) -> tuple[ResultDesk, Path]:
    from kiosk.sync.catalog import CatalogCache
    from kiosk.sync.client import ApiClient

    ident = store.identity()
    paper = tmp / f"paper-{ident.kiosk_id}"
    kiosk = KioskRef(ident.kiosk_id, ident.station_code)
    printing = PrintService(CatalogCache(store.home).current(), kiosk, PdfFilePrinter(paper))
    return ResultDesk(
        store, printing, lambda: ApiClient(ident.server_url, ident, timeout=FAST.timeout)
    ), paper


def test_a_pickup_result_arrives_sealed_hash_checked_and_is_purged_after_handover(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path
) -> None:
    receipt = sent_case(enrolled, service, seed=301, pages=1)
    sha = complete_on_server(server, receipt, "pickup")
    stamped = server.blob(sha)
    assert MARK in stamped  # the mark really is plaintext in the PDF, so the scan below means something

    report = service.run_once()
    assert report.ok and report.results_stored == 1, report.to_dict()
    assert Outbox(enrolled).find(receipt).state.value == SubmissionState.completed.value
    [view] = stored_results.for_receipt(enrolled, receipt)
    assert (view.kind, view.sha256, view.stored, view.handed_over) == (
        "electronic_certificate",
        sha,
        True,
        False,
    )
    assert files_holding(enrolled.home, MARK) == [] and files_holding(enrolled.home, b"%PDF-") == []
    assert enrolled.results.path(sha).exists()
    assert service.run_once().results_stored == 0  # fetched once

    desk, _paper = desk_for(enrolled, tmp_path)
    assert desk.status(receipt).startswith("电子办理结果已到达")
    printed = desk.print_received(receipt)
    assert printed.ok and printed.outcome is not None and printed.outcome.pdf_path.read_bytes() == stamped

    # 送达 on the server reaches the kiosk through the feed and starts the purge clock.
    deliver_on_server(server, receipt)
    assert service.run_once().ok
    with enrolled.db.read() as s:
        handed = s.scalars(select(ReceivedResult.handed_over_at)).one()
    assert handed is not None
    assert purge(enrolled, results_after=timedelta(days=30), now=handed + timedelta(days=29)).results == 0
    assert enrolled.results.path(sha).exists()
    assert purge(enrolled, results_after=timedelta(days=30), now=handed + timedelta(days=31)).results == 1
    assert not enrolled.results.path(sha).exists()
    assert not desk.print_received(receipt).ok and "删除" in desk.status(receipt)


def test_a_file_that_does_not_match_the_announced_hash_is_not_stored(
    enrolled: KioskStore, service: SyncService, server: LiveServer
) -> None:
    from kiosk.sync.client import ApiClient

    receipt = sent_case(enrolled, service, seed=302, pages=1)
    complete_on_server(server, receipt, "pickup")
    ident = enrolled.identity()
    client = ApiClient(ident.server_url, ident, timeout=FAST.timeout)
    feed.pull(Outbox(enrolled), client)
    with enrolled.db.write() as s:  # as if the server (or someone between) sent other bytes
        row = s.scalars(select(ReceivedResult)).one()
        row.sha256 = "0" * 64
    assert sync_results.fetch_announced(enrolled, client) == 0
    client.close()
    with enrolled.db.read() as s:
        row = s.scalars(select(ReceivedResult)).one()
        assert row.stored_at is None and row.attempts == 1 and "does not match" in (row.last_error or "")
    assert enrolled.results.all_hashes() == set()
    with pytest.raises(ValueError, match="does not match"):
        stored_results.keep(enrolled, row.result_id, result_pdf())


def test_a_paper_result_is_a_note_with_the_tracking_number(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path
) -> None:
    receipt = sent_case(enrolled, service, seed=305, pages=1)
    assert complete_on_server(server, receipt, "pickup", kind="paper", tracking="SF1234567890") is None
    assert service.run_once().results_stored == 0  # nothing to fetch
    [view] = stored_results.for_receipt(enrolled, receipt)
    assert (view.kind, view.sha256, view.tracking_no, view.stored) == ("paper", None, "SF1234567890", False)
    desk, _paper = desk_for(enrolled, tmp_path)
    assert "SF1234567890" in desk.status(receipt) and "寄往本服务站" in desk.status(receipt)
    assert not desk.print_received(receipt).ok


def test_the_kiosk_handover_record_starts_the_purge_clock(
    enrolled: KioskStore, service: SyncService, server: LiveServer
) -> None:
    receipt = sent_case(enrolled, service, seed=303, pages=1)
    sha = complete_on_server(server, receipt, "pickup")
    assert service.run_once().results_stored == 1
    assert purge(enrolled, results_after=timedelta(0)).results == 0  # not handed over: kept
    with enrolled.db.write() as s:
        assert stored_results.mark_handed_over(s, receipt) == 1
    assert purge(enrolled, results_after=timedelta(0)).results == 1
    assert not enrolled.results.path(sha).exists()


def test_an_electronic_result_prints_at_another_station_only_for_its_applicant(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path
) -> None:
    receipt = sent_case(enrolled, service, seed=304, pages=1, delivery=Delivery.electronic)
    sha = complete_on_server(server, receipt, "electronic")
    assert service.run_once().results_stored == 0  # not a pickup: nothing kept at the station

    far_home = tmp_path / "far"
    enroll(far_home, server.url, server.enrollment_code(OTHER_STATION))
    with KioskStore(far_home) as far:
        SyncService(far, FAST).run_once()  # its catalog
        desk, _paper = desk_for(far, tmp_path)
        id_no = applicant(304)["id_number"]
        printed = desk.print_electronic(receipt.lower(), id_no)
        assert printed.ok, printed.message_zh
        assert printed.outcome is not None and printed.outcome.pdf_path.read_bytes() == server.blob(sha)
        assert files_holding(far.home, MARK) == []  # printed, not stored

        wrong = desk.print_electronic(receipt, applicant(999)["id_number"])
        unknown = desk.print_electronic(receipt[:-4] + "9999", id_no)
        assert not wrong.ok and wrong.message_zh == unknown.message_zh == sync_results.NOT_FOUND_ZH
        assert desk.print_electronic("not a receipt", id_no).message_zh == sync_results.BAD_INPUT_ZH

        answers = [desk.print_electronic(receipt, applicant(999)["id_number"]) for _ in range(10)]
        assert answers[-1].message_zh == sync_results.LIMITED_ZH == "查询过于频繁，请一分钟后再试"
