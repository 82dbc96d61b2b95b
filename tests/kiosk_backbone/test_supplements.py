"""补正 on the same case, kiosk ⇄ real server (issue 11 §1).

Collect with an item missing → the reviewer asks for it → the status feed brings the
notice (kept sealed) → the kiosk, offline, finds it by receipt number, takes pages for the
listed items only, queues the supplement and prints its receipt → the sync sends it once
→ the case holds the pages, is back in the reviewer's queue, its clock restarted. Then a
second round, and another station's online lookup with its refusals.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.hardware.printer import PdfFilePrinter
from kiosk.scan.types import Problem
from kiosk.store import KioskStore, Outbox, save_identity
from kiosk.store.models import CorrectionNoticeRow, QueuedSupplement, StatusFeedEvent
from kiosk.sync.catalog import CatalogCache
from kiosk.sync.client import ApiClient
from kiosk.sync.enroll import enroll
from kiosk.sync.service import SyncService
from kiosk.visit.printing import PrintService
from kiosk.visit.submit import KioskRef
from kiosk.visit.supplement import ID_NEEDED_ZH, OFFLINE_ZH, SupplementDesk, SupplementPage, SupplementRefused
from tests.support.chaos_proxy import Chaos, ChaosProxy
from tests.support.live_server import LiveServer
from tests.support.server_staff import reviewer_for

from .conftest import FAST, applicant, finalize_one, jpeg_page

OTHER_STATION = "CQ0600"
FORM = "城乡居民基本养老保险参保登记表"  # the guide's registration_form
FREE_TEXT = "户口簿本人页（复印件看不清，请重新提供）"
HOSTILE = Chaos(
    drop=0.05, reset=0.2, truncate=0.2, cut_range=(200, 12_000), lifetime_range=(300, 12_000), seed=7
)


def ask_correction(server: LiveServer, receipt_no: str, items: list[str]) -> dict:
    """The department's reviewer asks for ``items`` (the workspace's own service function)."""
    from sync_server.db import get_db
    from sync_server.models import Submission
    from sync_server.workspace.actions import request_correction

    with get_db(server.in_app()).transaction(write=True) as s:
        sub = s.scalars(select(Submission).where(Submission.receipt_no == receipt_no)).one()
        user = reviewer_for(s, sub)
        return request_correction(s, sub, user, items).detail


def case_on_server(server: LiveServer, receipt_no: str) -> tuple[str, list[tuple[int | None, str]], object]:
    """State, (supplement mark, requirement code) per page in order, and when materials last came."""
    from sync_server.db import get_db
    from sync_server.models import Submission, SubmissionPage
    from sync_server.workspace.history import materials_received_at

    with get_db(server.in_app()).transaction() as s:
        sub = s.scalars(select(Submission).where(Submission.receipt_no == receipt_no)).one()
        pages = s.scalars(
            select(SubmissionPage)
            .where(SubmissionPage.submission_id == sub.id)
            .order_by(SubmissionPage.position)
        ).all()
        return sub.state, [(p.supplement, p.requirement_code) for p in pages], materials_received_at(sub)


def desk_for(store: KioskStore, tmp: Path, *, online: bool = True) -> tuple[SupplementDesk, Path]:
    ident = store.identity()
    paper = tmp / f"paper-{ident.kiosk_id}"
    kiosk = KioskRef(ident.kiosk_id, ident.station_code)
    printing = PrintService(CatalogCache(store.home).current(), kiosk, PdfFilePrinter(paper))
    url = ident.server_url if online else "http://127.0.0.1:9"  # nothing listens there
    client = lambda: ApiClient(url, ident, timeout=FAST.timeout)  # noqa: E731
    return SupplementDesk(store, kiosk, printing, client), paper


def page(seed: int, *, ok: bool = True) -> SupplementPage:
    problems = [] if ok else [Problem("blurry", "图像模糊，请拿稳后重拍")]
    return SupplementPage(jpeg_page(seed), "image/jpeg", 120, 90, ok=ok, problems=problems)


def files_holding(home: Path, needle: bytes) -> list[Path]:
    return [p for p in home.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_a_correction_is_answered_on_the_same_case_offline_and_synced_once(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path
) -> None:
    uuid = finalize_one(enrolled, seed=401, pages=3)  # the registration form is missing
    assert service.run_once().ok
    receipt = Outbox(enrolled).get(uuid).receipt_no
    _state, originals, before = case_on_server(server, receipt)
    detail = ask_correction(server, receipt, [FORM, FREE_TEXT])
    assert [i["key"] for i in detail["requirements"]] == ["registration_form", "item-2"]

    assert service.run_once().ok  # the feed brings the notice
    with enrolled.db.read() as s:
        [row] = s.scalars(select(CorrectionNoticeRow)).all()
        assert row.receipt_no == receipt
        event = s.scalars(
            select(StatusFeedEvent).where(StatusFeedEvent.state == "correction_requested")
        ).one()
        assert "items" not in event.detail and "requirements" not in event.detail
    assert files_holding(enrolled.home, FREE_TEXT.encode()) == []  # sealed, nowhere in plaintext

    desk, _paper = desk_for(enrolled, tmp_path, online=False)  # offline: the notice is local
    notice = desk.find(f" {receipt.lower()} ")
    assert (notice.receipt_no, [i.text for i in notice.items]) == (receipt, [FORM, FREE_TEXT])
    empty = desk.check(notice, {})
    assert [i.code for i in empty.issues] == ["missing_material", "missing_material"]
    blurry = desk.check(notice, {"registration_form": [page(1, ok=False)], "item-2": [page(2)]})
    assert [i.code for i in blurry.issues] == ["unreadable_page"] and FORM in blurry.issues[0].message
    stray = desk.check(
        notice, {"registration_form": [page(1)], "item-2": [page(2)], "id_card_front": [page(3)]}
    )
    assert [i.code for i in stray.issues] == ["not_requested"]
    with pytest.raises(SupplementRefused, match="不齐全"):
        desk.confirm(notice, {"registration_form": [page(1)]})

    done = desk.confirm(notice, {"registration_form": [page(11), page(12)], "item-2": [page(13)]})
    assert done.manifest.receipt_no == receipt  # the same number, no new application
    assert done.printed is not None and done.printed.ok
    pdf = done.printed.pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF") and b"/FontFile" in pdf  # fonts embedded
    with pytest.raises(SupplementRefused) as again:
        desk.find(receipt)
    assert again.value.code == "already_supplemented"

    report = service.run_once()
    assert report.ok and report.supplements_sent == 1, report.to_dict()
    state, pages, arrived = case_on_server(server, receipt)
    assert state == "routed"  # back in the reviewer's queue
    assert Outbox(enrolled).get(uuid).state.value == "routed"  # and the kiosk learns it from its feed
    assert pages == [*originals, (1, "registration_form"), (1, "registration_form"), (1, "item-2")]
    assert arrived > before  # §32: the acceptance clock restarts from the supplement
    assert service.run_once().supplements_sent == 0
    assert not any(desk.queue.pages.has(p.sha256) for p in (page(11), page(12), page(13)))

    with enrolled.db.write() as s:  # as if the acknowledgement had been lost: sent again
        s.scalars(select(QueuedSupplement)).one().sent_at = None
    assert service.run_once().supplements_sent == 1  # the server answers with the first ack
    assert case_on_server(server, receipt)[1] == pages  # exactly once on the server

    # a second correction request and a second supplement work the same way
    second = ask_correction(server, receipt, [FORM])
    assert second["round"] == 2
    assert service.run_once().ok
    notice2 = desk.find(receipt)
    assert notice2.correction_round == 2 and [i.key for i in notice2.items] == ["registration_form"]
    desk.confirm(notice2, {"registration_form": [page(21)]})
    assert service.run_once().supplements_sent == 1
    state, pages2, arrived2 = case_on_server(server, receipt)
    assert state == "routed" and pages2[-1] == (2, "registration_form") and arrived2 > arrived
    with pytest.raises(SupplementRefused) as moved_on:
        desk.find(receipt)  # the feed said the case is back with the department
    assert moved_on.value.code == "not_awaiting_correction"


def test_another_station_needs_the_receipt_and_the_id_number(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path
) -> None:
    uuid = finalize_one(enrolled, seed=402, pages=3)
    assert service.run_once().ok
    receipt = Outbox(enrolled).get(uuid).receipt_no
    ask_correction(server, receipt, [FORM])

    far_home = tmp_path / "far"
    enroll(far_home, server.url, server.enrollment_code(OTHER_STATION))
    with KioskStore(far_home) as far:
        far_sync = SyncService(far, FAST)
        assert far_sync.run_once().ok
        desk, _paper = desk_for(far, tmp_path)
        with pytest.raises(SupplementRefused) as no_id:
            desk.find(receipt)
        assert no_id.value.message_zh == ID_NEEDED_ZH
        offline, _ = desk_for(far, tmp_path, online=False)
        with pytest.raises(SupplementRefused) as cut_off:
            offline.find(receipt, applicant(402)["id_number"])
        assert cut_off.value.message_zh == OFFLINE_ZH

        refusals = []
        for number, id_no in (
            (receipt, applicant(999)["id_number"]),
            (receipt[:-4] + "9999", applicant(402)["id_number"]),
        ):
            with pytest.raises(SupplementRefused) as refused:
                desk.find(number, id_no)
            refusals.append(refused.value.message_zh)
        assert refusals[0] == refusals[1]  # a wrong ID number reads exactly like an unknown receipt

        notice = desk.find(receipt, applicant(402)["id_number"])
        assert notice.lookup_grant and [i.key for i in notice.items] == ["registration_form"]
        desk.confirm(notice, {"registration_form": [page(31)]})
        assert far_sync.run_once().supplements_sent == 1
        assert case_on_server(server, receipt)[0] == "routed"

        budget = 20 - 3  # SUPPLEMENT_LOOKUPS_PER_HOUR, minus the three lookups above
        for _ in range(budget):
            with pytest.raises(SupplementRefused):
                desk.find(receipt, applicant(999)["id_number"])
        with pytest.raises(SupplementRefused) as limited:
            desk.find(receipt, applicant(999)["id_number"])
        assert limited.value.code == "rate_limited" and "每小时最多查询 20 次" in limited.value.message_zh


def test_supplements_arrive_exactly_once_through_a_hostile_network(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path
) -> None:
    """Connections dropped, reset and cut mid-answer between kiosk and server: every
    supplement still lands once (lost acknowledgements are answered again from the first)."""
    count = 6
    uuids = [finalize_one(enrolled, seed=500 + i, pages=3) for i in range(count)]
    assert service.run_once().ok
    receipts = [Outbox(enrolled).get(u).receipt_no for u in uuids]
    for receipt in receipts:
        ask_correction(server, receipt, [FORM])
    assert service.run_once().ok
    desk, _paper = desk_for(enrolled, tmp_path, online=False)
    for i, receipt in enumerate(receipts):
        desk.confirm(desk.find(receipt), {"registration_form": [page(600 + i), page(700 + i)]})

    identity = enrolled.identity()
    proxy = ChaosProxy(("127.0.0.1", server.port), HOSTILE).start()
    try:
        save_identity(enrolled.home, dataclasses.replace(identity, server_url=proxy.url))
        for _cycle in range(60):  # each cycle ends quickly; the loop ends when the queue is empty
            service.run_once()
            if desk.queue.pending_count() == 0:
                break
        assert desk.queue.pending_count() == 0 and desk.queue.held() == []
        stats = proxy.stats
        assert stats.resets + stats.truncations + stats.drops >= 1, stats
    finally:
        proxy.stop()
        save_identity(enrolled.home, identity)
    for receipt in receipts:
        state, pages, _arrived = case_on_server(server, receipt)
        assert state == "routed" and [p for p in pages if p[0]] == [(1, "registration_form")] * 2
