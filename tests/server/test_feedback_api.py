"""意见建议 from a kiosk (issue 14, 5.5): exactly once per client_uuid, a signed ack with the
feedback number (the ApiClient verifies every 2xx signature and answer schema), bounded
body, the answer read back by number or receipt; staff feedback is never shown to kiosks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_schema.feedback_no import MAX_KIOSK, MAX_SEQ, SERVER_KIOSK, check_digit, is_valid, kiosk_of, make
from sync_server import feedback
from sync_server.app import create_app
from sync_server.db import get_db

from .conftest import ApiClient, KioskCreds, enroll_kiosk
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


def prefix_of(client: ApiClient, kiosk: KioskCreds) -> int:
    """What the kiosk learns from its heartbeat: its feedback prefix."""
    beat = client.post("/heartbeat", kiosk, json={"queue_length": 0, "app_version": "test"})
    return int(beat.get_json()["feedback_prefix"])


def old_form(body: str = "123456789") -> str:
    """A number as kiosks drew them before issue 14: YJ + 9 random digits + check digit."""
    return "YJ" + body + check_digit(body)


def test_the_kiosks_number_is_kept_and_never_replaced(
    app: Flask, client: ApiClient, kiosk: KioskCreds, other_kiosk: KioskCreds
) -> None:
    mine = make(prefix_of(client, kiosk), 1)
    first = client.post("/feedback", kiosk, json=note(kiosk, feedback_no=mine))
    assert first.status_code == 201 and first.get_json()["feedback_no"] == mine  # what the resident was shown
    wrong = mine[:-1] + str((int(mine[-1]) + 1) % 10)  # a check digit that does not match
    assert client.post("/feedback", kiosk, json=note(kiosk, feedback_no=wrong)).status_code == 422
    assert client.post("/feedback", kiosk, json=note(kiosk, feedback_no="YJ12345")).status_code == 422
    # the same number under another note (a kiosk restored from an old backup): refused, not replaced
    taken = client.post("/feedback", kiosk, json=note(kiosk, feedback_no=mine, text="另一位居民的意见"))
    assert (taken.status_code, taken.get_json()["error"]) == (409, "feedback_no_taken")
    # a number made under another kiosk's prefix: refused, whoever sends it
    theirs = make(prefix_of(client, other_kiosk), 1)
    stolen = client.post("/feedback", kiosk, json=note(kiosk, feedback_no=theirs))
    assert (stolen.status_code, stolen.get_json()["error"]) == (409, "feedback_no_wrong_kiosk")
    with get_db(app).transaction(write=True) as session:  # the server's own numbers: prefix 0, check digit
        staff = feedback.leave(session, matter_code=HOME_MATTER, about="guide", text="内部意见",
                               source=feedback.STATION, author="station")  # fmt: skip
        assert is_valid(staff.feedback_no) and kiosk_of(staff.feedback_no) == SERVER_KIOSK
    looked = client.post("/feedback/answers", kiosk, json={"numbers": [mine]}).get_json()["answers"]
    assert [a["text"] for a in looked] == ["材料清单看不懂"]  # the first note's, nobody else's


def test_an_old_form_number_is_still_taken_and_answered(client: ApiClient, kiosk: KioskCreds) -> None:
    """Notes queued offline before the upgrade carry the old, random form: kept as they are;
    one already taken is refused (409), since the resident holds that number."""
    old = old_form()
    sent = client.post("/feedback", kiosk, json=note(kiosk, feedback_no=old, receipt_no=None))
    assert (sent.status_code, sent.get_json()["feedback_no"]) == (201, old)
    again = client.post("/feedback", kiosk, json=note(kiosk, feedback_no=old, text="另一位居民的意见"))
    assert (again.status_code, again.get_json()["error"]) == (409, "feedback_no_taken")
    looked = client.post("/feedback/answers", kiosk, json={"numbers": [old]}).get_json()["answers"]
    assert [(a["feedback_no"], a["text"]) for a in looked] == [(old, "材料清单看不懂")]


def test_every_enrollment_gets_its_own_prefix(app: Flask, client: ApiClient) -> None:
    kiosks = [enroll_kiosk(app) for _ in range(12)]
    prefixes = [prefix_of(client, k) for k in kiosks]
    assert len(set(prefixes)) == len(prefixes) and min(prefixes) >= 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(1, MAX_KIOSK), st.integers(1, MAX_SEQ)), min_size=2, max_size=200,
                unique=True))  # fmt: skip
def test_numbers_of_different_kiosks_or_counts_never_collide(made: list[tuple[int, int]]) -> None:
    """Whatever the random digits, (prefix, counter) pairs that differ give numbers that differ,
    and each one reads back its prefix and passes its check digit."""
    numbers = [make(prefix, seq) for prefix, seq in made]
    assert len(set(numbers)) == len(numbers)
    assert all(is_valid(n) and kiosk_of(n) == prefix for n, (prefix, _) in zip(numbers, made, strict=True))


def test_answer_lookups_have_a_budget_per_kiosk(db_url: str, tmp_path: Path) -> None:
    """Each number asked costs one of the kiosk's budget on every node (the database counts);
    past it a 429 with Retry-After and a clear error, other kiosks unaffected."""
    app = create_app({"HOME": str(tmp_path), "DATABASE_URL": db_url, "TESTING": True,
                      "FEEDBACK_LOOKUPS_PER_MINUTE": 3})  # fmt: skip
    try:
        client, kiosk, other = ApiClient(app), enroll_kiosk(app), enroll_kiosk(app)
        ask = {"numbers": [old_form()]}
        assert client.post("/feedback/answers", kiosk, json={"numbers": ["YJ1"]}).status_code == 422  # free
        assert [client.post("/feedback/answers", kiosk, json=ask).status_code for _ in range(3)] == [200] * 3
        refused = client.post("/feedback/answers", kiosk, json=ask)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        body = refused.get_json()
        assert (body["error"], body["details"]) == ("feedback_lookup_rate_limited", {"per_minute": 3})
        assert "请稍后再试" in body["message_zh"]
        assert client.post("/feedback/answers", other, json=ask).status_code == 200
        many = {"numbers": [old_form(f"{i:09d}") for i in range(4)]}  # four numbers cost four
        assert client.post("/feedback/answers", enroll_kiosk(app), json=many).status_code == 429
    finally:
        get_db(app).dispose()
