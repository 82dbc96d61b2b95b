"""送达 at the station, kiosk ⇄ real server: a completed case handed over in assist mode
(the kiosk's HandoverDesk on its real store) is synced exactly once, the server shows it
delivered, the flow card PDF and the ledger carry the 送达, the rating at handling is
stored, and a second delivery is refused and held on the kiosk with its reason.
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from kiosk.hardware.idreader import VirtualIdReader
from kiosk.store import KioskStore, Outbox, OutboxState
from kiosk.store.db import DB_FILE
from kiosk.store.handovers import Handovers
from kiosk.store.models import QueuedHandover
from kiosk.store.purge import purge
from kiosk.sync.service import SyncService
from kiosk.visit.backbone import StoreOutbox
from kiosk.visit.handover import HandoverDesk, HandoverRefused
from shared_schema import IdentityCheck, RatingReason
from shared_schema import SubmissionState as S
from shared_schema.handover import masked_id
from shared_schema.render.flow_card import when
from sync_server.db import get_db
from sync_server.events import record_event
from sync_server.models import Submission
from sync_server.workspace import ledger, paperwork
from sync_server.workspace.models import StaffUser
from tests.support.live_server import LiveServer, serving

from .conftest import STATION, applicant, backends, finalize_one
from .test_results import complete_on_server


@pytest.fixture(scope="module", params=backends())
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The live server of these tests, on SQLite and (when it answers) PostgreSQL."""
    with serving(request.param, tmp_path_factory.mktemp(f"handover-{request.param}")) as live:
        yield live


def _complete_for_pickup(server: LiveServer, receipt_no: str) -> None:
    """The department accepts and completes the case, the result sent to the station."""
    with get_db(server.in_app()).transaction(write=True) as session:
        sub = session.scalars(select(Submission).where(Submission.receipt_no == receipt_no)).one()
        record_event(session, sub, S.accepted, actor="rev_a")
        record_event(session, sub, S.completed, detail={"action": "complete", "delivery": "pickup"},
                     actor="rev_a", pickup_station=STATION)  # fmt: skip


def _desk(store: KioskStore, card: Path, name: str, number: str) -> HandoverDesk:
    card.write_text(json.dumps({"name": name, "id_number": number}, ensure_ascii=False), "utf-8")
    return HandoverDesk(StoreOutbox(store, store.identity()), VirtualIdReader(card))


def _pdf_text(data: bytes) -> str:
    return "".join("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).split())


def test_a_handover_at_the_kiosk_delivers_the_case_once(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path
) -> None:
    uuid = finalize_one(enrolled, seed=301)
    assert service.run_once().ok
    outbox = Outbox(enrolled)
    receipt_no = outbox.get(uuid).receipt_no
    _complete_for_pickup(server, receipt_no)
    person = applicant(301)
    desk = _desk(enrolled, tmp_path / "card.json", person["name"], person["id_number"])

    name, number = desk.read_card() or ("", "")
    with pytest.raises(HandoverRefused, match="不一致"):  # not the applicant: refused at the kiosk
        desk.record(receipt_no, "李明", "赵六", applicant(302)["id_number"], IdentityCheck.scanned_id)
    view = desk.record(receipt_no, "李明", name, number, IdentityCheck.id_card_reader)
    assert view.state == "等待同步" and view.how == "身份证读卡器核验"
    desk.rate(receipt_no, 5, [RatingReason.fast, RatingReason.close_to_home])
    with pytest.raises(HandoverRefused, match="不能重复交付"):
        desk.record(receipt_no, "李明", name, number, IdentityCheck.id_card_reader)

    # encrypted at rest: neither the names nor the masked number is readable in the database
    raw = sqlite3.connect(enrolled.home / DB_FILE)
    try:
        blob = b"".join(r[0] for r in raw.execute("SELECT payload_enc FROM handovers"))
    finally:
        raw.close()
    for secret in (name, "李明", masked_id(number)):
        assert secret.encode("utf-8") not in blob
    assert not (enrolled.home / "handovers.jsonl").exists()

    report = service.run_once()  # offline until now: one cycle sends the handover, then the rating
    assert report.ok, report.error
    assert (report.handovers_sent, report.evaluations_sent) == (1, 1)
    assert outbox.get(uuid).state is OutboxState.delivered  # the server's event came back
    assert desk.for_receipt(receipt_no).state == "已同步至平台"

    handed = server.query("SELECT handed_by, handed_to, identity_check, id_number_masked FROM handovers")
    assert [tuple(r) for r in handed] == [("李明", name, "id_card_reader", masked_id(number))]
    rating = server.query("SELECT at_stage, score, department_code FROM evaluations WHERE receipt_no = :r",
                          r=receipt_no)  # fmt: skip
    with get_db(server.in_app()).transaction() as session:
        sub = session.scalars(select(Submission).where(Submission.receipt_no == receipt_no)).one()
        assert sub.state == "delivered"
        assert [tuple(r) for r in rating] == [("handle", 5, sub.department_code)]
        handed_at = desk.for_receipt(receipt_no).at
        assert when(sub.delivered_at) == when(datetime.fromisoformat(handed_at))
        card = _pdf_text(paperwork.render(session, sub, "flow_card") or b"")
        admin = StaffUser(username="admin", full_name="管理员", role="city_admin", password_hash="-")
        rows = [
            e
            for e in ledger.entries(session, admin, ledger.LedgerFilter(state="delivered"), 500)
            if e.applicant == name
        ]
    assert when(sub.delivered_at).replace(" ", "") in card  # the 送达 row's 办结时间
    assert "李明" in card and masked_id(number) in card and "身份证读卡器核验" in card
    assert len(rows) == 1 and rows[0].state == "已送达"
    assert f"已送达 {when(sub.delivered_at)}" in rows[0].note

    # the acknowledgement was lost: the kiosk sends again and gets the same answer, once
    with enrolled.db.write() as s:
        for row in s.scalars(select(QueuedHandover)):
            row.sent_at = None
    again = service.run_once()
    assert again.ok and again.handovers_sent == 1
    assert len(server.query("SELECT id FROM handovers")) == 1
    delivered = server.query("SELECT id FROM submission_events WHERE state = 'delivered'")
    assert len(delivered) == 1

    # a second delivery of the same case (another record, e.g. typed again after a reinstall)
    second = Handovers(enrolled).record(
        receipt_no, station_code=STATION, handed_by="王芳", handed_to=name,
        identity_check=IdentityCheck.receipt_qr_and_id_number, id_number_masked=masked_id(number),
    )  # fmt: skip
    refused = service.run_once()
    assert refused.ok and refused.handovers_sent == 0
    held = Handovers(enrolled).held()
    assert [(h.handover_uuid, "[already_delivered]" in reason) for h, reason in held] == [
        (second.handover_uuid, True)
    ]
    assert desk.held() == [f"{receipt_no}：该办件已交付过，不能重复交付"]
    assert desk.for_receipt(receipt_no).state == "平台拒收：该办件已交付过，不能重复交付"
    assert service.run_once().handovers_sent == 0  # held, not sent again
    assert len(server.query("SELECT id FROM handovers")) == 1


def test_a_handover_of_a_case_not_yet_completed_is_held(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path
) -> None:
    uuid = finalize_one(enrolled, seed=311)
    person = applicant(311)
    desk = _desk(enrolled, tmp_path / "card.json", person["name"], person["id_number"])
    receipt_no = Outbox(enrolled).get(uuid).receipt_no
    desk.record(
        receipt_no, "李明", person["name"], person["id_number"], IdentityCheck.receipt_qr_and_id_number
    )
    report = service.run_once()
    assert report.ok and report.handovers_sent == 0
    assert desk.for_receipt(receipt_no).state == "平台拒收：该申请尚未办结，没有可交付的结果"
    assert server.query("SELECT state FROM submissions WHERE receipt_no = :r", r=receipt_no)[0][0] == "routed"


def test_a_handover_starts_the_purge_clock_of_the_result_kept_here(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path
) -> None:
    uuid = finalize_one(enrolled, seed=321, pages=1)
    assert service.run_once().ok
    receipt_no = Outbox(enrolled).get(uuid).receipt_no
    sha = complete_on_server(server, receipt_no, "pickup")  # an electronic result for pickup here
    assert service.run_once().results_stored == 1
    assert purge(enrolled, results_after=timedelta(0)).results == 0  # not handed over yet: kept
    person = applicant(321)
    desk = _desk(enrolled, tmp_path / "card.json", person["name"], person["id_number"])
    desk.record(receipt_no, "李明", person["name"], person["id_number"], IdentityCheck.id_card_reader)
    assert purge(enrolled, results_after=timedelta(0)).results == 1
    assert not enrolled.results.path(sha).exists()
