"""签收 through the real Kivy app (Xvfb): at the hand-over the recipient signs on the assist
screen's pad with a finger — touch events posted to Kivy's event loop, the input path of
the touch screen — the strokes travel sealed with the handover, the server keeps them,
and the flow card (附录 D) draws them as an image.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from kiosk.scripted.signing import SIGN, STROKES
from kiosk.store import KioskStore, Outbox
from kiosk.sync.service import SyncService
from sync_server.db import get_db
from sync_server.models import Submission
from sync_server.workspace import paperwork
from tests.kiosk_app.kiosk_run import run_kiosk
from tests.support.live_server import LiveServer

from .conftest import finalize_one
from .test_results import complete_on_server
from .test_return_screens import offline


def test_the_recipient_signs_on_the_touch_screen(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path, monkeypatch
) -> None:
    receipt = Outbox(enrolled).get(finalize_one(enrolled, seed=641, pages=3)).receipt_no
    assert service.run_once().ok
    complete_on_server(server, receipt, "pickup")
    assert service.run_once().ok  # the result PDF reaches the kiosk

    monkeypatch.setenv(SIGN, "1")
    with offline(enrolled):
        report = run_kiosk(enrolled.home, "return", tmp_path / "shots", timeout=600)
    assert report["ok"], (report["error"], report["screenshots"][-1:])
    [printed] = report["return_path"]["prints"]
    assert printed["receipt_no"] == receipt, printed
    assert any(Path(p).name.endswith("assist-signature.png") for p in report["screenshots"])

    sent = service.run_once()
    assert sent.ok and sent.handovers_sent == 1, sent.to_dict()
    [(signature,)] = server.query("SELECT signature FROM handovers WHERE receipt_no = :r", r=receipt)
    signature = json.loads(signature) if isinstance(signature, str) else signature
    assert len(signature["strokes"]) == len(STROKES)
    assert all(len(stroke) >= 2 for stroke in signature["strokes"])  # each a line, as drawn
    with get_db(server.in_app()).transaction() as session:
        sub = session.scalars(select(Submission).where(Submission.receipt_no == receipt)).one()
        assert sub.state == "delivered"
        card = PdfReader(io.BytesIO(paperwork.render(session, sub, "flow_card") or b""))
    assert len([image for page in card.pages for image in page.images]) == 1
