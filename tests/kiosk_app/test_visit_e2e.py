"""The whole resident's visit through the real Kivy app under Xvfb, then a real sync.

A kiosk enrolled at 南义城村便民服务站 (泽州县) with its server down: the scripted demo
visit (``tongban kiosk run --script demo``, the ``virtual`` profile, camera images of a
resident of 阳城县) does two matters — 城乡居民基本养老保险参保登记 (home acceptance), found
by pinyin initials, with a blurred capture rejected by the quality gate and retaken, and a
household-register page missing, told by the check and then supplied; then 异地就医备案
(entrusted approval), found through the 医保看病 tile, in the accessibility mode, the
resident's name typed on the pinyin pad — all offline. Then the server comes up, the
kiosk's sync client runs once, and each submission must land at its department: the home
county's (阳城县人社局) for the first, the entrusted department in the kiosk's county
(泽州县医保局) for the second.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader

from kiosk.store import KioskStore, Outbox, OutboxState
from kiosk.store.handovers import Handovers
from kiosk.ui import theme
from tests.kiosk_app.kiosk_run import run_kiosk, tongban
from tests.support.live_server import LiveServer, fresh_database

pytestmark = [pytest.mark.gui, pytest.mark.skipif(not shutil.which("Xvfb"), reason="Xvfb not installed")]

STATION = "ZZ1305"  # 南义城村便民服务站, 泽州县 140525
PENSION, MEDICAL = "JC-RS-001", "JC-YB-002"
EXPECTED_DEPARTMENT = {PENSION: "140522-RS", MEDICAL: "140525-YB"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path / "server", fresh_database("sqlite", tmp_path))
    yield live
    live.stop()


@pytest.fixture
def visit(tmp_path: Path, server: LiveServer) -> dict:
    """Enroll while the server is up, take it down, run the scripted visit offline."""
    home = tmp_path / "kiosk"
    code = server.enrollment_code(STATION)
    server.start()
    enrolled = tongban("kiosk", "--home", str(home), "enroll", "--server", server.url, "--code", code)
    assert enrolled.returncode == 0, enrolled.stderr
    server.stop()
    report = run_kiosk(home, "demo", tmp_path / "shots", timeout=600)  # a loaded 2-core machine
    assert report["ok"], report["error"]
    return {"home": home, "report": report}


def pdf_text(path: Path) -> str:
    """The PDF's text with line breaks removed (Chinese wraps anywhere)."""
    return "".join(page.extract_text() for page in PdfReader(path).pages).replace("\n", "")


def pdf_qr(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        image = pdf[0].render(scale=2).to_pil()
    finally:
        pdf.close()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def test_two_matters_offline_then_synced_and_routed(visit: dict, server: LiveServer) -> None:
    home, report = visit["home"], visit["report"]
    pension, medical = report["receipts"]
    # offline the whole visit: the header never said online
    assert report["header_links"] == ["● 离线"]
    assert (pension["matter_code"], pension["handling_mode"]) == (PENSION, "home_acceptance")
    assert (medical["matter_code"], medical["handling_mode"]) == (MEDICAL, "entrusted_approval")
    # the progress screen's keypad typed the full receipt number (letters too) and found it
    assert report["typed_status_lines"] == report["status_lines"] == ["本终端记录：材料已接收，等待发送"]
    # the scans ran in a worker process, stopped once the visit was over; at the peak the
    # worker was counted, maybe beside a print child (receipt PDFs render in one) or a
    # retiring worker whose successor had already started (a loaded machine)
    assert report["scan_workers"] >= 1 and report["tree_peak_mb"]["processes"] >= 2
    assert report["tree_settled_mb"]["processes"] == 1
    # back at Home the app let go of the visit (memory ≤ 300 MB): its screens are released,
    # OpenCV and the OCR live only in the worker, no label keeps its pixels beside its texture
    kept = report["kept"]
    assert kept["screens"] == ["home"], kept
    assert kept["heavy_modules"] == [], kept
    assert kept["labels"] > 20 and kept["label_surfaces"] == 0, kept
    # the garbage of rebuilt screens was collected while the resident waited for scans and
    # prints (a fast visit never leaves the screen alone for 3 s), not piled up until Home
    assert kept["collected_while_waiting"] >= 1, kept
    # no page or thumbnail of the residents' papers is left in Kivy's caches: from the
    # kiosk home only its material icons (their textures are the screens', gone with them)
    cached = [f for f in kept["cached_files"] if f.startswith(str(home))]
    assert cached and all(Path(f).parent == home / "icons" for f in cached), kept
    # both visits' identity screens (the pinyin pad) were built while the guide was read
    assert kept["entered_prepared"].count("identity") == 2, kept
    # numpy stays out too (captures go to the worker as files), and only the normal type
    # scale's few font faces are still open (each open CJK face costs ~2.5-4 MB): the
    # accessibility mode's larger ones, used in the second visit, were closed at its end
    faces = {(size, bold) for size, bold in kept["font_faces"]}
    assert faces and faces <= set(theme.NORMAL_FACES), kept
    # the accessibility mode, turned on from the header on the guide: larger text, the
    # screen's prompt read aloud by the profile's voice (the virtual one records it), three
    # times the idle time; every later screen's prompt read too; off again for the next resident
    mode = medical["accessible"]
    assert mode["idle_timeout_s"] == [120, 360] and mode["title_px"] == 52
    assert mode["said_on"] == ["请阅读办事指南。点“下一页”继续往下看，要带的材料也列在里面。"]
    said = report["voice_said"]
    assert said[0] == mode["said_on"][0] and "请把材料逐份放在拍摄区，然后按“拍照”。" in said
    assert any(line.startswith("第 1 页已收到") for line in said)  # messages read too
    assert mode["off_after_visit"] and mode["idle_after_visit_s"] == 120
    # nothing said before the mode was on (the pension visit: the virtual profile's prompts
    # are off), nor after it (Home's welcome for the next resident)
    assert said.count(mode["said_on"][0]) == 1 and not said[-1].startswith("欢迎")
    # the quality gate told the resident what was wrong, and the retake was accepted
    assert pension["retakes"] == 1 and "模糊" in pension["rejected_message"]
    # the check told the missing household-register page, printed as a notice
    assert any("户口簿" in line for line in pension["told_missing"])
    assert "户口簿" in pdf_text(Path(pension["correction_pdf"]))

    # both submissions sealed in the outbox, waiting to be sent
    with KioskStore(home) as store:
        entries = {e.receipt_no: e for e in Outbox(store).entries()}
    for receipt in (pension, medical):
        entry = entries[receipt["receipt_no"]]
        assert entry.state is OutboxState.finalized
        assert entry.matter_code == receipt["matter_code"]
    assert entries[pension["receipt_no"]].page_count == 5  # 2 ID sides + 2 register pages + form

    # the receipt notice (附录 A): number, department, materials table, the 2-day statement
    text = pdf_text(Path(pension["receipt_pdf"]))
    for words in ("申请材料接收通知书", pension["receipt_no"], "城乡居民基本养老保险参保登记",
                  "在 2 日内转报到阳城县人力资源和社会保障局", "居民户口簿", "南义城村便民服务站",
                  "不代表事项已受理"):  # fmt: skip
        assert words in text, words
    assert pdf_qr(Path(pension["receipt_pdf"])) == [pension["receipt_no"]]
    assert "在 2 日内转报到泽州县医疗保障局" in pdf_text(Path(medical["receipt_pdf"]))

    # the server comes back: one sync cycle delivers both, routed to the right departments
    server.start()
    synced = tongban("kiosk", "--home", str(home), "sync", "--once", "--json")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    rows = server.query("SELECT receipt_no, matter_code, department_code, state FROM submissions")
    routed = {row.matter_code: row for row in rows}
    assert set(routed) == {PENSION, MEDICAL}
    for matter, department in EXPECTED_DEPARTMENT.items():
        assert routed[matter].department_code == department, routed[matter]
    assert {row.receipt_no for row in rows} == {pension["receipt_no"], medical["receipt_no"]}
    # the name typed on the pinyin pad (syllable by syllable, picked among the candidates)
    # is the applicant's name the department receives
    name = medical["typed_name"]
    assert len(name) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in name), name
    typed = server.query(f"SELECT applicant_name FROM submissions WHERE matter_code = '{MEDICAL}'")
    assert [row.applicant_name for row in typed] == [name]
    # the medical matter's guide names an electronic result: the resident tapped "print it
    # myself at any service station"; the pension (a pickup offered first) stays a pickup
    methods = server.query("SELECT matter_code, delivery_method FROM submissions")
    chosen = {row.matter_code: row.delivery_method for row in methods}
    assert chosen == {PENSION: "pickup", MEDICAL: "electronic"}
    # staff recorded the hand-over (both names typed on the pinyin pad, the ID number on its
    # pad): queued sealed in the store and synced; the case is not completed yet, so the
    # server refused it and the kiosk holds it with the reason
    assert report["handover_message"].startswith(f"已记录 {pension['receipt_no']} 的交付")
    assert not (home / "handovers.jsonl").exists()
    with KioskStore(home) as store:
        held = Handovers(store).held()
    assert [(h.receipt_no, h.handed_to, h.handed_by, "[not_completed]" in why) for h, why in held] == [
        (pension["receipt_no"], name, "李明", True)
    ]
    # the rating at collection, then the resident's rating at handling after the hand-over
    scores = server.query("SELECT receipt_no, at_stage, score FROM evaluations ORDER BY id")
    pension_no = pension["receipt_no"]
    assert [tuple(r) for r in scores] == [(pension_no, "collect", 5), (pension_no, "handle", 5)]
