"""The way back through the real Kivy app (issue 11): 补交材料 and 打印办理结果 on the
progress screen, kiosk under Xvfb ⇄ a live server.

Collect with an item missing → the reviewer asks for it → the feed brings the notice →
the app, offline, shows the notice and takes only the listed items (real camera frames
through the real scan worker), prints the 补正材料接收凭证 → the sync sends it once → the
case holds the pages → completed for pickup, the result PDF reaches the kiosk → the app
prints it for the resident after the typed ID number (a wrong ID number prints nothing),
staff hand it over on the assist screen with an ID check and the resident rates the
handling → synced: delivered on the server, the flow card and the ledger carry the 送达,
the rating at handling stored → the printed result's QR opens ``/verify/<code>``, which
confirms its SHA-256; an altered code is refused and an altered copy does not match.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import zxingcpp
from pypdf import PdfReader
from sqlalchemy import select

from kiosk.hardware.printer import PdfFilePrinter
from kiosk.runtime import OFFLINE_URL
from kiosk.scan.synth.identities import Person
from kiosk.scripted.documents import id_card_capture
from kiosk.store import KioskStore, Outbox, save_identity
from kiosk.store.models import OutboxItem
from kiosk.sync.catalog import CatalogCache
from kiosk.sync.client import ApiClient
from kiosk.sync.enroll import enroll
from kiosk.sync.service import SyncService
from kiosk.visit.backbone import StoreOutbox
from kiosk.visit.printing import PrintService
from kiosk.visit.results import NOT_APPLICANT_ZH, ResultDesk
from kiosk.visit.submit import KioskRef
from shared_schema import Delivery
from shared_schema.handover import masked_id
from shared_schema.render.flow_card import when
from sync_server.db import get_db
from sync_server.models import Submission
from sync_server.workspace import ledger, paperwork
from sync_server.workspace.models import StaffUser
from sync_server.workspace.verify_code import ALPHABET, parse
from tests.kiosk_app.kiosk_run import run_kiosk
from tests.support.live_server import LiveServer

from .conftest import FAST, applicant, finalize_one
from .test_enterprise_return import COMPANY, ENTERPRISE_MATTER
from .test_results import complete_on_server
from .test_supplements import FORM, FREE_TEXT, OTHER_STATION, ask_correction, case_on_server

JAM_PRINTER = "TONGBAN_RETURN_JAM_PRINTER"  # kiosk/scripted/return_path.py: the slip's printer fails
ID_CARDS = "TONGBAN_RETURN_ID_CARDS"  # and: the residents' ID cards, scanned instead of typed


def person_of(fields: dict[str, str]) -> Person:
    """The applicant as the synthetic ID card shows them (birth and sex from the number)."""
    number = fields["id_number"]
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    sex = "男" if int(number[16]) % 2 else "女"
    return Person(fields["name"], sex, "汉", born, "山西省晋城市泽州县南村镇南村1号", number,
                  fields["phone"], "泽州县", fields["home_division"])  # fmt: skip


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


def printed_qr(pdf: bytes) -> str:
    """What a phone reads from the printed first page."""
    [code] = zxingcpp.read_barcodes(pdfium.PdfDocument(pdf)[0].render(scale=200 / 72).to_pil())
    return code.text


def verify(server: LiveServer, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{server.url.rstrip('/')}{path}.json", timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def pdf_text(data: bytes) -> str:
    return "".join("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).split())


def test_the_app_takes_a_supplement_offline_and_prints_the_result_after_the_id_check(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path, monkeypatch
) -> None:
    uuid = finalize_one(enrolled, seed=611, pages=3)  # the registration form is missing
    assert service.run_once().ok
    receipt = Outbox(enrolled).get(uuid).receipt_no
    outbox = StoreOutbox(enrolled, enrolled.identity())
    _state, originals, _at = case_on_server(server, receipt)
    ask_correction(server, receipt, [FORM, FREE_TEXT])
    assert service.run_once().ok  # the feed brings the notice; the app below runs offline

    shots = tmp_path / "shots"
    monkeypatch.setenv(JAM_PRINTER, "1")  # the printer fails for real at the slip
    with offline(enrolled):
        report = run_kiosk(enrolled.home, "return", shots, timeout=600)
    monkeypatch.delenv(JAM_PRINTER)
    assert report["ok"], (report["error"], report["screenshots"][-1:])
    [done] = report["return_path"]["supplements"]
    assert done["receipt_no"] == receipt and done["items"] == ["registration_form", "item-2"]
    assert done["back"] == {"step": "status_pickup", "receipt_no": receipt}  # Back: where they came from
    jammed = done["jammed"]  # queued once, said so; the slip again while the printer still fails
    assert jammed["printed"] is False and jammed["queued"] == 1
    assert "您的补正材料已保存，将按原回执编号发送，无需再次提交。" in jammed["words"], jammed
    assert "凭证没有打印出来。请点“重新打印凭证”，或联系工作人员。" in jammed["words"], jammed
    assert done["header_queue"] == "待发送 1 份"  # the supplement is what waits to be sent
    later = done["later"]  # asked again: the truth, and no second 补交材料
    told = [line for line in later["lines"] if line.startswith("补正材料已于 ")]
    assert later["offers"] == [] and len(told) == 1 and told[0].endswith("（等待发送），无需再次提交"), later
    assert done["accessible_seen"] is True  # the header's mode reached the notice screen
    said = report["voice_said"]  # and its voice read the notice screen's prompt aloud
    assert any(line.startswith("办理部门需要您补交") for line in said), said
    slip = Path(done["slip_pdf"]).read_bytes()
    assert slip.startswith(b"%PDF") and b"/FontFile" in slip
    names = [Path(p).name for p in report["screenshots"]]
    shot_names = ("supplement-notice", "supplement-notice-accessible", "supplement-check",
                  "supplement-not-printed", "supplement-done")  # fmt: skip
    for shot in shot_names:
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

    card = id_card_capture(person_of(applicant(611)), tmp_path / "id-card.jpg")  # the resident brings it
    monkeypatch.setenv(ID_CARDS, json.dumps({applicant_id: str(card)}))
    late = finalize_one(enrolled, seed=613, pages=1)  # collected a month ago, the link down since
    with enrolled.db.write() as s:
        s.get(OutboxItem, late).finalized_at = datetime.now(UTC) - timedelta(days=30)
    with offline(enrolled):  # the result is kept here: printing it needs no network
        report = run_kiosk(enrolled.home, "return", tmp_path / "shots2", timeout=600)
    assert report["ok"], (report["error"], report["screenshots"][-1:])
    assert report["return_path"]["supplements"] == []  # answered already: not offered again
    [printed] = report["return_path"]["prints"]
    assert printed["receipt_no"] == receipt
    assert printed["offers"] == ["result"]  # the answered correction is not offered again
    assert printed["lines"] == ["办理结果已打印，请取走"]
    [result_pdf] = [Path(p) for p in printed["prints"] if Path(p).name.startswith("result")]
    printed_bytes = result_pdf.read_bytes()
    assert hashlib.sha256(printed_bytes).hexdigest() == sha  # as the department issued it
    assert printed["handover_message"].startswith(f"已记录 {receipt} 的交付")
    panel = printed["panel"]  # the hand-over and the rating wait beside the late submission
    assert panel["header_queue"] == "待发送 3 份\n⚠ 转报超期", panel
    breakdown = "其中补正材料 0 份，交付记录 1 条，原件寄送 0 条，评价 1 条，意见建议 0 条"
    assert breakdown in panel["texts"], panel
    assert any(t.startswith("本机最早一份待发送的材料应在 ") for t in panel["texts"]), panel

    synced = service.run_once()  # the hand-over, then the rating at handling
    assert synced.ok and (synced.handovers_sent, synced.evaluations_sent) == (1, 1), synced.to_dict()
    person_id = outbox.applicant_id(receipt)
    handed = server.query(
        "SELECT handed_by, identity_check, id_number_masked FROM handovers WHERE receipt_no = :r", r=receipt
    )
    assert [tuple(r) for r in handed] == [("李明", "scanned_id", masked_id(person_id))]  # the card scanned
    rating = server.query("SELECT at_stage, score FROM evaluations WHERE receipt_no = :r", r=receipt)
    assert [tuple(r) for r in rating] == [("handle", 5)]
    with get_db(server.in_app()).transaction() as session:
        sub = session.scalars(select(Submission).where(Submission.receipt_no == receipt)).one()
        assert sub.state == "delivered" and sub.delivered_at is not None
        card = pdf_text(paperwork.render(session, sub, "flow_card") or b"")
        admin = StaffUser(username="admin", full_name="管理员", role="city_admin", password_hash="-")
        rows = [
            e
            for e in ledger.entries(session, admin, ledger.LedgerFilter(state="delivered"), 500)
            if f"已送达 {when(sub.delivered_at)}" in e.note and e.applicant == sub.applicant_name
        ]
    assert "李明" in card and masked_id(person_id) in card  # the flow card's 送达 row
    assert when(sub.delivered_at).replace(" ", "") in card
    assert len(rows) == 1 and rows[0].state == "已送达"

    # the printed result's QR: the public page vouches for exactly these bytes
    path = urllib.parse.urlsplit(printed_qr(printed_bytes)).path
    assert path.startswith("/verify/")
    status, page = verify(server, path)
    assert status == 200 and page["status"] == "genuine" and page["sha256"] == sha
    assert page["applicant"] == "王*英"
    altered_copy = printed_bytes.replace(b"%%EOF", b"%%EOF\n% edited", 1)
    assert hashlib.sha256(altered_copy).hexdigest() != page["sha256"]  # an edited copy does not match
    canonical = parse(path.removeprefix("/verify/"))[1]
    wrong = ALPHABET[(ALPHABET.index(canonical[5]) + 1) % len(ALPHABET)]
    status, refused = verify(server, f"/verify/{canonical[:5]}{wrong}{canonical[6:]}")  # one character off
    assert (status, refused["error"]) == (404, "check_failed")


def test_at_another_station_the_app_looks_up_with_the_id_number(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path, monkeypatch
) -> None:
    """补交材料 and an electronic result at a station that did not collect the case: the app,
    online, asks the server with the receipt number and the typed ID number."""
    asked = finalize_one(enrolled, seed=621, pages=3)
    electronic = finalize_one(enrolled, seed=622, pages=1, delivery=Delivery.electronic)
    company = finalize_one(  # an enterprise: 单位 chosen, its credit code typed
        enrolled, seed=623, pages=2, delivery=Delivery.electronic, matter=ENTERPRISE_MATTER, who=COMPANY
    )
    assert service.run_once().ok
    near = Outbox(enrolled)
    asked_no, electronic_no = near.get(asked).receipt_no, near.get(electronic).receipt_no
    company_no = near.get(company).receipt_no
    ask_correction(server, asked_no, [FORM])
    sha = complete_on_server(server, electronic_no, "electronic")
    company_sha = complete_on_server(server, company_no, "electronic")

    far = tmp_path / "far"
    enroll(far, server.url, server.enrollment_code(OTHER_STATION))
    asks = [
        {"receipt_no": asked_no, "id_number": applicant(621)["id_number"], "want": "supplement"},
        {"receipt_no": electronic_no, "id_number": applicant(622)["id_number"], "want": "result"},
        {"receipt_no": company_no, "uscc": COMPANY["uscc"], "want": "result"},
    ]
    monkeypatch.setenv("TONGBAN_RETURN_ASKS", json.dumps(asks))
    report = run_kiosk(far, "return", tmp_path / "far-shots", timeout=600)
    assert report["ok"], (report["error"], report["screenshots"][-1:])
    supplied, printed, enterprise = report["return_path"]["elsewhere"]
    assert enterprise["print"]["lines"] == ["办理结果已打印，请取走"]
    [pdf] = [Path(p) for p in enterprise["print"]["prints"] if Path(p).name.startswith("result")]
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == company_sha
    assert supplied["offers"] == printed["offers"] == ["result", "supplement"]  # nothing known here
    assert supplied["supplement"]["items"] == ["registration_form"]
    assert printed["print"]["lines"] == ["办理结果已打印，请取走"]
    [pdf] = [Path(p) for p in printed["print"]["prints"] if Path(p).name.startswith("result")]
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == sha

    with KioskStore(far) as far_store:  # sent by the app's own sync, or now
        assert SyncService(far_store, FAST).run_once().ok
    state, pages, _at = case_on_server(server, asked_no)
    assert state == "routed" and pages[-1] == (1, "registration_form")
