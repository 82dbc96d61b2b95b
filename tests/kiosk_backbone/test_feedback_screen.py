"""意见建议 in the real Kivy app under Xvfb (issue 14, 5.5), kiosk ⇄ live server: a resident left
feedback with their receipt earlier (sent, answered by the city administrator in the
workspace); now a resident at the pension guide taps 意见建议, picks 材料清单看不懂, types 表格 on the
pinyin pad and sends: thanked, told what happens next; the app's own sync worker sends it,
once (how long it shows in 待发送 is a race with that worker: the count itself is tested in
test_feedback.py). The thank-you shows the feedback number made at the kiosk (and prints
it on a slip); on the progress screen that number typed with two digits swapped is refused
by its check digit, typed right it shows the note as received; the earlier receipt's
number shows the administrator's answer. Screenshots: docs/screenshots/kiosk-
feedback-*.png.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.store import KioskStore, Outbox
from kiosk.store.models import QueuedFeedback
from kiosk.sync.catalog import CatalogCache
from kiosk.sync.service import SyncService
from kiosk.visit.feedback import REASONS
from shared_schema.feedback_no import display, is_valid
from tests.kiosk_app.kiosk_run import run_kiosk
from tests.support.feedback_staff import answer_in_workspace, feedback_desk
from tests.support.live_server import LiveServer

from .conftest import MATTER, STATION, finalize_one

pytestmark = [pytest.mark.gui, pytest.mark.skipif(not shutil.which("Xvfb"), reason="Xvfb not installed")]


def test_feedback_from_the_guide_is_sent_once_and_the_answer_shows_by_receipt(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path
) -> None:
    receipt = Outbox(enrolled).get(finalize_one(enrolled, seed=1421, pages=1)).receipt_no
    assert service.run_once().ok  # the first sync brings the kiosk's feedback prefix too
    earlier = feedback_desk(enrolled, STATION).leave(MATTER, REASONS[1], "", receipt)
    assert service.run_once().feedback_sent == 1
    with enrolled.db.read() as s:  # the number the server's acknowledgement gave
        number = s.get(QueuedFeedback, str(earlier.client_uuid)).feedback_no
    answer = "办事指南已重写，材料逐项配图说明"
    answer_in_workspace(server, number, answer)

    report = run_kiosk(enrolled.home, "feedback", tmp_path / "shots", timeout=600)
    assert report["ok"], (report["error"], report["screenshots"][-1:])
    walk = report["feedback"]
    assert walk["sent_by_worker"]  # the app's own worker sent it (its 待发送 count went back to 0)
    assert walk["back_to"] == "guide"  # Done: back where it was opened
    shown = walk["feedback_no"]
    assert is_valid(shown)  # made at the kiosk, with its check digit
    assert walk["thanks"] == [
        "谢谢您的意见建议！",
        f"您的意见编号：{display(shown)}",  # left at the guide: no receipt yet, the number is the way
        "您的意见会转给市里的管理员，管理员会逐条阅读并答复。",
        f"在任一台自助终端查看答复：在首页点“查询进度 / 领取结果”，输入意见编号 {display(shown)}。",
        "请记下这个编号，或用手机拍下来，也可以打印凭条。",
    ]
    assert walk["slip"] == "凭条已打印，请取走。"  # 打印意见编号: the app's own printer
    name = CatalogCache(enrolled.home).current().matter(MATTER).name
    slip, right = list(walk["by_number"])
    assert walk["by_number"][slip] == ["意见编号有误，请逐位核对后重新输入。"]  # the check digit caught it
    assert walk["by_number"][right] == [f"您对“{name}”的意见（{display(shown)}）已收到，管理员尚未答复。"]
    assert list(walk["answers"]) == [receipt]
    assert f"您对“{name}”的意见（{display(number)}）已答复：{answer}" in walk["answers"][receipt]

    sent = server.query("SELECT about, text, receipt_no, source, feedback_no FROM feedback WHERE text = :t",
                        t="材料清单看不懂：表格")  # fmt: skip
    assert [tuple(r) for r in sent] == [("guide", "材料清单看不懂：表格", None, "resident", shown)]  # once
    assert service.run_once().feedback_sent == 0  # nothing left to send
    names = [Path(p).name for p in report["screenshots"]]
    assert names == ["01-feedback-guide.png", "02-feedback-chosen.png", "03-feedback-thanks.png",
                     "04-feedback-by-number.png", "05-feedback-by-number.png",
                     "06-feedback-answer.png"]  # fmt: skip
