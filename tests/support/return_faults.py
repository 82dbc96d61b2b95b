"""The way back under the fault-injection scenario (issue 11): 送达, 补正 and 办理结果 at once.

After the submissions of :mod:`tests.support.fault_scenario` arrived, three disjoint sets
of them take the way back while the chaos proxy breaks connections and the server and the
kiosk's sync process are SIGKILLed once each (:func:`fault_scenario.sync_with_kills`):

- handed over: completed for pickup, handed over at the kiosk, the handover synced;
- supplemented: the department asks for a correction, the feed brings the notice (one
  calm cycle), the kiosk queues a supplement of two pages for it;
- fetched: completed for pickup with an electronic result, which the kiosk fetches by id.

:func:`check_return_once` then proves nothing was lost or doubled on either side.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from kiosk.store import KioskStore, Outbox
from kiosk.store import results as stored_results
from kiosk.store.supplements import Supplements
from kiosk.sync.service import SyncService, SyncSettings
from kiosk.visit.submit import KioskRef
from kiosk.visit.supplement import SupplementDesk, SupplementPage

from .chaos_proxy import Chaos
from .fault_scenario import Scenario, check_handovers_once, queue_handovers, sync_with_kills
from .kiosk_factories import jpeg_page
from .server_staff import reviewer_for

ASKED = "申请表"  # a free-text item: key item-1
CALM = SyncSettings(request_tries=3, retry_base=0.01, retry_cap=0.05, timeout=(3.0, 10.0))


@dataclass
class ReturnCases:
    handed: list[str]  # receipt numbers
    supplemented: list[str]
    fetched: dict[str, str]  # receipt number → the result's sha256 on the server


def return_round(sc: Scenario, log: Path, handed: int, supplemented: int, fetched: int) -> ReturnCases:
    """Prepare the three sets (see the module), then sync them under the faults."""
    with KioskStore(sc.home) as store:
        outbox = Outbox(store)
        receipts = [outbox.get(uuid).receipt_no for uuid in sc.uuids]
        first, second = handed, handed + supplemented
        cases = ReturnCases(receipts[:first], receipts[first:second], {})
        for receipt_no in cases.supplemented:
            _ask_correction(sc, receipt_no)
        sc.proxy.chaos = Chaos()
        assert SyncService(store, CALM).run_once().ok  # the feed brings the notices
        desk = SupplementDesk(store, KioskRef(store.identity().kiosk_id, store.identity().station_code))
        for i, receipt_no in enumerate(cases.supplemented):
            pages = [SupplementPage(jpeg_page(90_000 + 2 * i + k), "image/jpeg", 120, 90) for k in (0, 1)]
            desk.queue_supplement(desk.find(receipt_no), {"item-1": pages})
        queue_handovers(sc, store, sc.uuids[:first])
    from tests.kiosk_backbone.test_results import complete_on_server

    for receipt_no in receipts[second : second + fetched]:
        cases.fetched[receipt_no] = complete_on_server(sc.server, receipt_no, "pickup") or ""
    sync_with_kills(sc, log)
    return cases


def check_return_once(sc: Scenario, cases: ReturnCases) -> None:
    check_handovers_once(sc, len(cases.handed))
    rows = sc.server.query(
        "SELECT s.receipt_no, count(*), count(DISTINCT u.client_uuid) FROM supplements u "
        "JOIN submissions s ON s.id = u.submission_id GROUP BY s.receipt_no"
    )
    assert sorted(tuple(r) for r in rows) == sorted((r, 1, 1) for r in cases.supplemented)
    pages = sc.server.query(
        "SELECT s.receipt_no, count(*) FROM submission_pages p JOIN submissions s ON s.id = p.submission_id "
        "WHERE p.supplement IS NOT NULL GROUP BY s.receipt_no"
    )
    assert sorted(tuple(r) for r in pages) == sorted((r, 2) for r in cases.supplemented)
    states = dict(sc.server.query("SELECT receipt_no, state FROM submissions"))
    assert {states[r] for r in cases.supplemented} == {"routed"}  # back with the reviewer
    with KioskStore(sc.home) as store:
        queue = Supplements(store)
        assert queue.pending() == [] and queue.held() == []
        for receipt_no, sha in cases.fetched.items():
            views = stored_results.for_receipt(store, receipt_no)
            assert [(v.stored, v.sha256) for v in views] == [(True, sha)], views  # once, whole
            _view, data = stored_results.pdf_for_receipt(store, receipt_no)  # opened, hash checked
            assert data.startswith(b"%PDF")


def _ask_correction(sc: Scenario, receipt_no: str) -> None:
    from sync_server.db import get_db
    from sync_server.models import Submission
    from sync_server.workspace.actions import request_correction

    with get_db(sc.server.in_app()).transaction(write=True) as session:
        sub = session.scalars(select(Submission).where(Submission.receipt_no == receipt_no)).one()
        request_correction(session, sub, reviewer_for(session, sub), [ASKED])
