"""意见建议 (issue 14, standard 5.5), kiosk side: a resident's note queued sealed while the
server is down, counted in 待发送, sent exactly once when it is back (the signed
acknowledgement's feedback number kept, the text dropped here), answered by the city
administrator in the workspace, and the answer read at the kiosk by receipt number.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk import i18n
from kiosk.hardware.printer import EscPosPrinter
from kiosk.store import KioskStore, Outbox, meta
from kiosk.store.backlog import read_backlog
from kiosk.store.db import DB_FILE
from kiosk.store.feedback import FeedbackNotes
from kiosk.store.feedback_numbers import FEEDBACK_SEQ, remember_prefix
from kiosk.store.models import QueuedFeedback
from kiosk.store.sealed_queue import REFUSED, NotAcknowledged
from kiosk.sync.catalog import CatalogCache
from kiosk.sync.service import SyncService
from kiosk.visit.backbone import StoreOutbox
from kiosk.visit.feedback import REASONS, FeedbackDesk, FeedbackRefused, note_text
from kiosk.visit.printing import PrintService
from kiosk.visit.submit import KioskRef
from shared_schema.feedback_no import MAX_SEQ, check_digit, display, is_valid, kiosk_of, make
from tests.support.feedback_staff import answer_in_workspace, feedback_desk
from tests.support.live_server import LiveServer, serving

from .conftest import MATTER, STATION, backends, finalize_one

MATERIALS, _GUIDE, ADD, _OTHER = REASONS
NOW = "2026-12-02T10:00:00+00:00"


@pytest.fixture(scope="module", params=backends())
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The live server of these tests, on SQLite and (when it answers) PostgreSQL."""
    with serving(request.param, tmp_path_factory.mktemp(f"feedback-{request.param}")) as live:
        yield live


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.install("zh_CN")
    yield
    i18n.install("en")


def test_a_note_is_checked_sealed_and_held_when_refused(store: KioskStore, chinese: None) -> None:
    assert note_text(MATERIALS, "  第三项   看不懂 ") == "材料清单看不懂：第三项 看不懂"
    assert note_text(ADD, "") == "希望增加事项"
    remember_prefix(store, {"feedback_prefix": 7})  # what the first sync's heartbeat brings
    queue = FeedbackNotes(store)
    note = queue.leave(station_code=STATION, matter_code=MATTER, about="guide", text="看不懂表格")
    with pytest.raises(FeedbackRefused, match="过长"):
        FeedbackDesk(store, STATION, None, lambda: None).leave(MATTER, ADD, "长" * 500, None)  # type: ignore[arg-type]
    key = str(note.client_uuid)
    # an answer that names another note is no acknowledgement: the note stays queued
    with pytest.raises(NotAcknowledged):
        other = "00000000-0000-4000-8000-000000000000"
        queue.accept(key, {"client_uuid": other, "feedback_no": "YJ0123456789", "received_at": NOW})
    with pytest.raises(NotAcknowledged):
        queue.accept(key, {"ok": True})
    assert [n.client_uuid for n in queue.pending()] == [note.client_uuid]
    assert read_backlog(store).feedback.waiting == 1 and read_backlog(store).waiting == 1
    # refused by the server: held for staff (counted as refused), never sent again
    queue.record_error(key, f"{REFUSED} [no_such_matter] gone")
    backlog = read_backlog(store)
    assert (backlog.feedback.waiting, backlog.feedback.refused, backlog.refused) == (0, 1, 1)
    assert queue.pending() == [] and queue.held()[0][0].text == "看不懂表格"


def test_feedback_left_offline_is_sent_once_answered_and_read_by_receipt(
    enrolled: KioskStore, service: SyncService, server: LiveServer, chinese: None
) -> None:
    receipt = Outbox(enrolled).get(finalize_one(enrolled, seed=1401, pages=1)).receipt_no
    assert service.run_once().ok  # the submission reached the server; now the network goes
    desk = feedback_desk(enrolled, STATION)
    server.stop()
    try:
        at_rating = desk.leave(MATTER, MATERIALS, "第三项填什么", receipt)  # from the rating screen
        desk.leave(MATTER, ADD, "", None)  # from the guide: no receipt number yet
        offline = service.run_once()
        assert not offline.ok and offline.feedback_sent == 0
        assert desk.answer_lines(receipt, online=True) == [
            "您的意见建议已保存在本机，联网后自动发送。",
            "暂时查不到意见答复，请稍后再试。",  # asked, and the server did not answer
        ]
    finally:
        server.start()
    counts = StoreOutbox(enrolled, enrolled.identity()).counts()  # what the header's 待发送 reads
    assert counts.feedback == 2 and counts.waiting == 2
    raw = sqlite3.connect(enrolled.home / DB_FILE)  # sealed at rest: the words are not readable
    try:
        blob = b"".join(r[0] for r in raw.execute("SELECT payload_enc FROM feedback_notes"))
    finally:
        raw.close()
    assert "第三项".encode() not in blob and "看不懂".encode() not in blob

    report = service.run_once()
    assert report.ok, report.error
    assert report.feedback_sent == 2 and service.run_once().feedback_sent == 0  # once each
    assert read_backlog(enrolled).feedback.waiting == 0
    rows = server.query("SELECT feedback_no, about, text, receipt_no, station_code, source, client_uuid "
                        "FROM feedback ORDER BY id")  # fmt: skip
    assert [(r.about, r.text, r.receipt_no, r.station_code, r.source) for r in rows] == [
        ("guide", "材料清单看不懂：第三项填什么", receipt, STATION, "resident"),
        ("matter", "希望增加事项", None, STATION, "resident"),
    ]
    with enrolled.db.read() as s:  # the kiosk keeps the number, not the words
        kept = {r.client_uuid: r for r in s.scalars(select(QueuedFeedback))}
    mine = kept[str(at_rating.client_uuid)]
    assert mine.feedback_no == rows[0].feedback_no == at_rating.feedback_no  # the number shown at once
    assert mine.payload_enc == b""
    assert all(r.payload_enc == b"" and r.feedback_no for r in kept.values())

    name = CatalogCache(enrolled.home).current().matter(MATTER).name
    waiting = f"您对“{name}”的意见（{display(mine.feedback_no)}）已收到，管理员尚未答复。"
    assert desk.answer_lines(receipt, online=True) == [waiting]
    assert desk.answer_lines(receipt, online=False) == ["本机没有联网，暂时不能查看意见答复，请稍后再查。"]

    answer = "第三项填写户籍所在地，已在新版指南中说明"
    answer_in_workspace(server, mine.feedback_no, answer)
    assert desk.answer_lines(receipt, online=True) == [
        f"您对“{name}”的意见（{display(mine.feedback_no)}）已答复：{answer}"
    ]
    assert desk.answer_lines("ZZ9999-K01-20261202-0001", online=True) == []  # nobody else's


def test_the_feedback_number_finds_the_answer_offline_says_so_and_typos_are_refused(
    enrolled: KioskStore, service: SyncService, server: LiveServer, chinese: None
) -> None:
    """No receipt: the number the kiosk made (and showed) is the way to the answer."""
    assert service.run_once().ok  # the first sync: the catalog, and the feedback prefix
    kiosk_id = enrolled.identity().kiosk_id
    prefix = server.query("SELECT feedback_prefix FROM kiosks WHERE kiosk_id = :k", k=kiosk_id)
    desk = feedback_desk(enrolled, STATION)
    server.stop()
    try:
        note = desk.leave(MATTER, ADD, "希望增加出生登记", None)  # made offline: it has its number at once
        number = note.feedback_no
        assert number is not None and is_valid(number) and kiosk_of(number) == prefix[0].feedback_prefix
        typed = display(number)  # as the thank-you screen shows it: YJ 12345 67890 1234
        kept = ["您的意见建议已保存在本机，联网后自动发送。"]
        assert desk.number_lines(typed, online=False) == kept
        assert desk.number_lines(typed, online=True) == kept  # not sent yet: nothing to ask
        wrong = number[:-2] + number[-1] + number[-2]  # two neighbours swapped
        if wrong == number:
            wrong = number[:-1] + str((int(number[-1]) + 1) % 10)  # or one digit off
        # refused by the check digit alone (the server is down: asking it would read 暂时查不到)
        assert desk.number_lines(wrong, online=True) == ["意见编号有误，请逐位核对后重新输入。"]
        assert desk.number_lines("YJ12345", online=True) == [
            "意见编号是 YJ 后面的 14 位数字（早先的为 10 位），请核对。"
        ]
    finally:
        server.start()
    assert service.run_once().feedback_sent >= 1
    name = CatalogCache(enrolled.home).current().matter(MATTER).name
    digits = number.removeprefix("YJ")  # typed without YJ, on the digit pad
    waiting = f"您对“{name}”的意见（{typed}）已收到，管理员尚未答复。"
    assert desk.number_lines(digits, online=True) == [waiting]
    answer_in_workspace(server, number, "出生登记已在新版清单中纳入")
    assert desk.number_lines(f"{digits[:5]}-{digits[5:10]}-{digits[10:]}", online=True) == [
        f"您对“{name}”的意见（{typed}）已答复：出生登记已在新版清单中纳入"
    ]
    assert desk.number_lines(number, online=False) == ["本机没有联网，暂时不能查看意见答复，请稍后再查。"]
    for unknown in (make(prefix[0].feedback_prefix, 2), "YJ123456789" + check_digit("123456789")):
        assert desk.number_lines(unknown, online=True) == ["没有查到这个意见编号，请核对。"]  # either form


def test_numbers_come_from_the_prefix_and_counter_and_fail_loudly_without(
    store: KioskStore, chinese: None
) -> None:
    """Before the first heartbeat brought a prefix, or past the counter's end, a note is
    refused with a message for the resident, never given a number another kiosk could make."""
    desk = FeedbackDesk(store, STATION, None, lambda: None)  # type: ignore[arg-type]
    with pytest.raises(FeedbackRefused, match="本机暂时不能提交意见"):
        desk.leave(MATTER, ADD, "", None)
    remember_prefix(store, {"feedback_prefix": True})  # not a prefix: ignored
    remember_prefix(store, {"kiosk_id": "K1"})  # an older server sends none
    with pytest.raises(FeedbackRefused):
        desk.leave(MATTER, ADD, "", None)
    remember_prefix(store, {"feedback_prefix": 42})
    numbers = [desk.leave(MATTER, ADD, "", None).feedback_no or "" for _ in range(3)]
    assert [(kiosk_of(n), int(n[7:12])) for n in numbers] == [(42, 1), (42, 2), (42, 3)]
    with store.db.write() as s:
        meta.put(s, FEEDBACK_SEQ, str(MAX_SEQ))
    with pytest.raises(FeedbackRefused, match="本机暂时不能提交意见"):
        desk.leave(MATTER, ADD, "", None)
    assert len(FeedbackNotes(store).pending()) == 3  # nothing queued without a number


def test_the_slip_carries_the_number_and_not_the_words(store: KioskStore, tmp_path: Path) -> None:
    """Printed on a thermal printer (a device file here): the number, the matter, where to
    read the answer; never what the resident wrote. A printer that fails is reported."""
    ident = store.identity()
    kiosk = KioskRef(ident.kiosk_id, ident.station_code)
    catalog = CatalogCache(store.home).current()
    matter = catalog.matter(MATTER)
    words_left = "第三项看不懂"
    remember_prefix(store, {"feedback_prefix": 7})
    queue = FeedbackNotes(store)
    note = queue.leave(station_code=STATION, matter_code=MATTER, about="guide", text=words_left)
    number = note.feedback_no
    assert number is not None
    device = tmp_path / "lp0"
    thermal = EscPosPrinter(device, "gb18030", tmp_path / "kept")
    printed = PrintService(catalog, kiosk, thermal).feedback(number, matter)
    assert printed.ok and printed.pdf_path.read_bytes().startswith(b"%PDF")  # the PDF kept for reprints
    paper = device.read_bytes()
    words = paper.decode("gb18030", errors="replace")
    assert f"意见编号：{display(number)}" in words and matter.name in words and "查询进度" in words
    assert number.encode() in paper  # the QR code's payload
    assert "第三项" not in words
    broken = EscPosPrinter(tmp_path / "no-such-dir" / "lp0", "gb18030", tmp_path / "kept")
    failed = PrintService(catalog, kiosk, broken).feedback(number, matter)
    assert not failed.ok and "lp0" in failed.detail
