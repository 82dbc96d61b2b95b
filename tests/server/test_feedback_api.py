"""意见建议 from a kiosk (issue 14, 5.5): exactly once per client_uuid, a signed ack with the
feedback number (the ApiClient verifies every 2xx signature and answer schema), bounded
body, the answer read back by number or receipt; staff feedback is never shown to kiosks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask

from shared_schema.feedback_no import is_valid, new_feedback_no
from sync_server import feedback
from sync_server.db import get_db

from .conftest import ApiClient, KioskCreds
from .factories import HOME_MATTER

RECEIPT = "ST01-K01-20261202-0007"


def note(kiosk: KioskCreds, **kw: Any) -> dict[str, Any]:
    return {"client_uuid": str(uuid.uuid4()), "station_code": kiosk.station_code, "matter_code": HOME_MATTER,
            "about": "guide", "text": "材料清单看不懂", "receipt_no": RECEIPT,
            "created_at": datetime(2026, 12, 2, 9, 30, tzinfo=UTC).isoformat(), **kw}  # fmt: skip


def test_feedback_once_signed_and_answered_back(app: Flask, client: ApiClient, kiosk: KioskCreds) -> None:
    body = note(kiosk)
    first = client.post("/feedback", kiosk, json=body)
    assert first.status_code == 201
    number = first.get_json()["feedback_no"]
    again = client.post("/feedback", kiosk, json=body)
    assert again.status_code == 200 and again.get_json()["feedback_no"] == number  # a replay: same number
    assert client.post("/feedback", kiosk, json={**body, "text": "别的内容"}).status_code == 409
    assert client.post("/feedback", kiosk, json=note(kiosk, station_code="ST02")).status_code == 403
    assert client.post("/feedback", kiosk, json=note(kiosk, matter_code="140500-NO-999")).status_code == 404
    for bad in (
        {"text": "x" * 501},
        {"text": "x"},
        {"about": "other"},
        {"extra": 1},
        {"matter_code": "bad code"},
    ):
        assert client.post("/feedback", kiosk, json=note(kiosk, **bad)).status_code == 422, bad
    assert client.post("/feedback", None, json=note(kiosk)).status_code == 401
    with get_db(app).transaction(write=True) as session:
        staff = feedback.leave(session, matter_code=HOME_MATTER, about="guide", text="内部意见",
                               source=feedback.STATION, author="station", receipt_no=RECEIPT)  # fmt: skip
        staff_no = staff.feedback_no
    looked = client.post("/feedback/answers", kiosk, json={"numbers": [number, staff_no]}).get_json()
    assert [(a["feedback_no"], a["state"], a["answer"]) for a in looked["answers"]] == [
        (number, "open", None)
    ]
    with get_db(app).transaction(write=True) as session:
        row = next(f for f in feedback.for_resident(session, feedback_no=number))
        feedback.answer(session, row.id, "已在新版指南中写明每份材料的用途", "admin")
    by_receipt = client.post("/feedback/answers", kiosk, json={"receipt_no": RECEIPT}).get_json()["answers"]
    assert [(a["feedback_no"], a["answer"]) for a in by_receipt] == [
        (number, "已在新版指南中写明每份材料的用途")
    ]
    with get_db(app).transaction(write=True) as session:
        elsewhere = feedback.leave(session, matter_code=HOME_MATTER, about="guide", text="另一站的意见",
                                   source=feedback.RESIDENT, station_code="ST02",
                                   receipt_no=RECEIPT)  # fmt: skip
        elsewhere_no = elsewhere.feedback_no
    by_receipt = client.post("/feedback/answers", kiosk, json={"receipt_no": RECEIPT}).get_json()["answers"]
    assert [a["feedback_no"] for a in by_receipt] == [number]  # by receipt: this station's only
    by_no = client.post("/feedback/answers", kiosk, json={"numbers": [elsewhere_no]}).get_json()["answers"]
    assert [a["feedback_no"] for a in by_no] == [elsewhere_no]  # by its number: at any kiosk
    assert client.post("/feedback/answers", kiosk, json={}).status_code == 400
    assert client.post("/feedback/answers", kiosk, json={"numbers": ["YJ1"]}).status_code == 422
    assert client.post("/feedback/answers", kiosk, json={"numbers": ["YJ0000000000"] * 21}).status_code == 422


def test_the_kiosks_number_is_kept_checked_and_replaced_only_when_taken(
    app: Flask, client: ApiClient, kiosk: KioskCreds
) -> None:
    mine = new_feedback_no()
    first = client.post("/feedback", kiosk, json=note(kiosk, feedback_no=mine))
    assert first.status_code == 201 and first.get_json()["feedback_no"] == mine  # what the resident was shown
    wrong = mine[:-1] + str((int(mine[-1]) + 1) % 10)  # a check digit that does not match
    assert client.post("/feedback", kiosk, json=note(kiosk, feedback_no=wrong)).status_code == 422
    assert client.post("/feedback", kiosk, json=note(kiosk, feedback_no="YJ12345")).status_code == 422
    # another kiosk drew the same digits: the note is kept under a fresh number, told in the ack
    body = note(kiosk, feedback_no=mine, text="另一位居民的意见")
    taken = client.post("/feedback", kiosk, json=body)
    fresh = taken.get_json()["feedback_no"]
    assert taken.status_code == 201 and fresh != mine and is_valid(fresh)
    assert client.post("/feedback", kiosk, json=body).get_json()["feedback_no"] == fresh  # a replay: the same
    with get_db(app).transaction(write=True) as session:  # the server's own numbers: check digit too
        staff = feedback.leave(session, matter_code=HOME_MATTER, about="guide", text="内部意见",
                               source=feedback.STATION, author="station")  # fmt: skip
        assert is_valid(staff.feedback_no)
    looked = client.post("/feedback/answers", kiosk, json={"numbers": [mine]}).get_json()["answers"]
    assert [a["text"] for a in looked] == ["材料清单看不懂"]  # the first note's, nobody else's
