"""原件寄送 through the real Kivy app (Xvfb): staff unlock the assist screen with the PIN,
type their name, the receipt number and the tracking number on its pads and record the
mailing, offline; the next sync sends it once and the server keeps it on the case.
"""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.scripted.mailing import MAILINGS
from kiosk.store import KioskStore, Outbox
from kiosk.sync.service import SyncService
from tests.kiosk_app.kiosk_run import run_kiosk
from tests.support.live_server import LiveServer

from .conftest import finalize_one
from .test_original_mailing import MOVE
from .test_return_screens import offline

TRACKING = "SF1234567890123"


def test_staff_record_the_tracking_number_on_the_assist_screen(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path, monkeypatch
) -> None:
    receipt_no = Outbox(enrolled).get(finalize_one(enrolled, seed=631, pages=4, matter=MOVE)).receipt_no
    assert service.run_once().ok

    monkeypatch.setenv(MAILINGS, json.dumps([{"receipt_no": receipt_no, "tracking_no": TRACKING}]))
    with offline(enrolled):
        report = run_kiosk(enrolled.home, "return", tmp_path / "shots", timeout=600)
    assert report["ok"], (report["error"], report["screenshots"][-1:])
    [done] = report["return_path"]["mailings"]
    assert done["message"] == f"已登记 {receipt_no} 的原件寄送，快递单号 {TRACKING}。"
    assert (done["queued"], done["state"]) == (TRACKING, "等待同步")
    assert any(Path(p).name.endswith("assist-mailing.png") for p in report["screenshots"])

    assert service.run_once().mailings_sent == 1
    assert service.run_once().mailings_sent == 0
    rows = server.query("SELECT receipt_no, tracking_no, recorded_by FROM original_mailings")
    assert (receipt_no, TRACKING, "李明") in [tuple(r) for r in rows]
