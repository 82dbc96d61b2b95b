"""补正 on the same case, over the real API: a reviewer asks, a kiosk supplements, exactly once.

Runs on SQLite and PostgreSQL (the server fixtures are parametrised over both).
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shared_schema import SubmissionState
from shared_schema.protocol import API_PREFIX, sha256_hex
from shared_schema.supplement import LookupAnswer, LookupRequest, SupplementAck, SupplementManifest
from sync_server.blobs import held_blobs
from sync_server.blobstore import get_store
from sync_server.db import get_db
from sync_server.enrollment import KioskPrincipal
from sync_server.errors import ApiError
from sync_server.models import Matter, Submission, SubmissionPage, Supplement
from sync_server.supplement_lookup import look_up
from sync_server.supplements import ingest_supplement
from sync_server.workspace import actions, history, limits
from sync_server.workspace.models import StaffUser
from tests.server.conftest import upload
from tests.server.factories import QINSHUI, id_number, png_page

from .conftest import new_case

FORM_KEY = "form"  # the test guide's second material (申请表)


def ask(app, case: int, items: list[str]) -> Any:
    """The reviewer of DEPT_A asks for ``items`` (the workspace's own service function)."""
    with get_db(app).transaction(write=True) as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == "rev_a")).one()
        sub = session.get_one(Submission, case)
        return actions.request_correction(session, sub, user, items).detail


def supplement(kiosk, receipt_no: str, keys: dict[str, list[bytes]], *, round_no: int = 1, **kw: Any):
    materials = [
        {
            "key": key,
            "pages": [
                {
                    "sha256": sha256_hex(p),
                    "size": len(p),
                    "content_type": "image/png",
                    "width": 16,
                    "height": 12,
                }
                for p in pages
            ],
        }
        for key, pages in keys.items()
    ]
    data = {
        "client_uuid": str(kw.pop("client_uuid", uuid.uuid4())),
        "receipt_no": receipt_no,
        "correction_round": round_no,
        "kiosk_id": kiosk.kiosk_id,
        "station_code": kiosk.station_code,
        "materials": materials,
        "completeness": {"complete": True, "issues": []},
        "created_at": datetime.now(UTC).isoformat(),
        **kw,
    }
    blobs = {sha256_hex(p): p for pages in keys.values() for p in pages}
    return SupplementManifest.parse(data), blobs


def send(client, kiosk, manifest: SupplementManifest, blobs: dict[str, bytes] | None = None):
    if blobs:
        upload(client, kiosk, blobs)
    return client.post("/supplements", kiosk, json=manifest.to_json_dict())


def receipt(app, case: int) -> str:
    with get_db(app).transaction() as session:
        return session.get_one(Submission, case).receipt_no


def test_supplement_joins_the_case_exactly_once_and_restarts_the_clock(app, client, kiosk, staff):
    case = new_case(app, client, kiosk)
    name = _material_name(app, case, FORM_KEY)
    detail = ask(app, case, [name, "户口簿首页"])
    assert [i["key"] for i in detail["requirements"]] == [FORM_KEY, "item-2"]
    # the feed brings the notice (items, keys, deadline) to the collecting kiosk
    feed = client.get("/status-feed?after=0", kiosk).get_json()["events"]
    notice = feed[-1]
    assert notice["state"] == "correction_requested"
    assert [i["key"] for i in notice["detail"]["requirements"]] == [FORM_KEY, "item-2"]

    manifest, blobs = supplement(
        kiosk, receipt(app, case), {FORM_KEY: [png_page(91)], "item-2": [png_page(92)]}
    )
    first = send(client, kiosk, manifest, blobs)
    assert first.status_code == 201, first.get_json()
    ack = SupplementAck.model_validate_json(first.data)
    assert (ack.supplement_no, ack.state) == (1, SubmissionState.routed)
    again = send(client, kiosk, manifest)
    assert (again.status_code, again.data) == (200, first.data)

    with get_db(app).transaction() as session:
        sub = session.get_one(Submission, case)
        assert sub.state == "routed"
        pages = session.scalars(
            select(SubmissionPage)
            .where(SubmissionPage.submission_id == case)
            .order_by(SubmissionPage.position)
        ).all()
        assert [(p.position, p.supplement, p.requirement_code) for p in pages] == [
            (0, None, "id_card"),
            (1, None, FORM_KEY),
            (2, 1, FORM_KEY),
            (3, 1, "item-2"),
        ]
        arrived = history.materials_received_at(sub)
        assert arrived == ack.received_at  # §32: the clock runs from the supplement's arrival
        assert arrived > sub.transferred_at
        assert limits.notice_deadline(arrived) >= limits.notice_deadline(sub.transferred_at)

    other = manifest.model_copy(update={"materials": manifest.materials[:1]})
    conflict = send(client, kiosk, other)
    assert (conflict.status_code, conflict.get_json()["error"]) == (409, "conflict")
    late = send(client, kiosk, supplement(kiosk, receipt(app, case), {FORM_KEY: [png_page(93)]})[0])
    assert (late.status_code, late.get_json()["error"]) == (409, "not_awaiting_correction")


def test_a_second_correction_and_supplement_work_the_same_way(app, client, kiosk, staff):
    case = new_case(app, client, kiosk)
    ask(app, case, ["户口簿首页"])
    manifest, blobs = supplement(kiosk, receipt(app, case), {"item-1": [png_page(71)]})
    assert send(client, kiosk, manifest, blobs).status_code == 201
    second = ask(app, case, [_material_name(app, case, "id_card")])
    assert second["round"] == 2 and second["requirements"][0]["key"] == "id_card"

    stale, blobs = supplement(kiosk, receipt(app, case), {"id_card": [png_page(72)]})
    refused = send(client, kiosk, stale, blobs)
    assert (refused.status_code, refused.get_json()["error"]) == (409, "stale_correction")
    fresh, _ = supplement(kiosk, receipt(app, case), {"id_card": [png_page(72)]}, round_no=2)
    answer = send(client, kiosk, fresh)
    assert answer.status_code == 201 and answer.get_json()["supplement_no"] == 2
    with get_db(app).transaction() as session:
        marks = session.scalars(
            select(SubmissionPage.supplement)
            .where(SubmissionPage.submission_id == case)
            .order_by(SubmissionPage.position)
        ).all()
        assert marks == [None, None, 1, 2]


def test_only_the_notice_items_and_only_complete_claims(app, client, kiosk, staff):
    case = new_case(app, client, kiosk)
    ask(app, case, ["户口簿首页", "结婚证"])
    stray, blobs = supplement(
        kiosk, receipt(app, case), {"item-1": [png_page(61)], "id_card": [png_page(62)]}
    )
    answer = send(client, kiosk, stray, blobs)
    assert (answer.status_code, answer.get_json()["error"]) == (422, "not_requested")
    partial, _ = supplement(kiosk, receipt(app, case), {"item-1": [png_page(61)]})
    answer = send(client, kiosk, partial)
    assert (answer.status_code, answer.get_json()["error"]) == (422, "completeness_mismatch")
    unsent, _ = supplement(kiosk, receipt(app, case), {"item-1": [png_page(63)], "item-2": [png_page(64)]})
    answer = send(client, kiosk, unsent)
    assert (answer.status_code, answer.get_json()["error"]) == (422, "missing_blobs")
    with get_db(app).transaction() as session:
        assert session.get_one(Submission, case).state == "correction_requested"


def test_another_station_needs_the_online_lookup(app, client, kiosk, other_kiosk, staff):
    case = new_case(app, client, kiosk)
    ask(app, case, ["户口簿首页"])
    number = receipt(app, case)
    manifest, blobs = supplement(other_kiosk, number, {"item-1": [png_page(81)]})
    refused = send(client, other_kiosk, manifest, blobs)
    assert (refused.status_code, refused.get_json()["error"]) == (403, "not_your_station")

    right_id = id_number(QINSHUI)
    wrong = client.post(
        "/supplements/lookup",
        other_kiosk,
        json={"receipt_no": number, "id_number": id_number(QINSHUI, serial=456)},
    )
    unknown_no = number.rsplit("-", 1)[0] + "-9999"
    unknown = client.post(
        "/supplements/lookup", other_kiosk, json={"receipt_no": unknown_no, "id_number": right_id}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()  # no way to tell a wrong ID from a wrong receipt

    found = client.post(
        "/supplements/lookup", other_kiosk, json={"receipt_no": number, "id_number": right_id}
    )
    assert found.status_code == 200, found.get_json()
    notice = LookupAnswer.model_validate(found.get_json())
    assert (notice.correction_round, [i.key for i in notice.items]) == (1, ["item-1"])
    granted = manifest.model_copy(update={"lookup_grant": notice.lookup_grant, "client_uuid": uuid.uuid4()})
    answer = send(client, other_kiosk, granted)
    assert answer.status_code == 201, answer.get_json()
    with get_db(app).transaction() as session:
        assert session.get_one(Submission, case).state == "routed"


def test_a_lookup_grant_expires_after_its_lifetime(app, client, kiosk, other_kiosk, staff):
    """The grant is bounded (SUPPLEMENT_GRANT_SECONDS): on a clock past it the supplement is
    refused with lookup_expired and nothing is stored; a second before, it joins the case.
    Its expiry is signed: moving it forward makes the grant invalid."""
    case = new_case(app, client, kiosk)
    ask(app, case, ["户口簿首页"])
    number = receipt(app, case)
    asker = KioskPrincipal(other_kiosk.kiosk_id, other_kiosk.station_code, other_kiosk.secret)
    lifetime = timedelta(seconds=app.config["SUPPLEMENT_GRANT_SECONDS"])
    looked_up = datetime.now(UTC)
    request = LookupRequest(receipt_no=number, id_number=id_number(QINSHUI))
    notice = look_up(get_db(app), asker, request, 20, lifetime, now=looked_up)
    grant = notice.lookup_grant
    manifest, blobs = supplement(other_kiosk, number, {"item-1": [png_page(86)]}, lookup_grant=grant)
    upload(client, other_kiosk, blobs)

    def ingest_at(moment: datetime):
        held = held_blobs(get_store(app), manifest.page_hashes())
        with get_db(app).transaction(write=True) as session:
            return ingest_supplement(session, asker, manifest, held, now=moment)

    with pytest.raises(ApiError) as expired:
        ingest_at(looked_up + lifetime)
    assert (expired.value.status, expired.value.code) == (403, "lookup_expired")
    assert "重新联网核验" in expired.value.message_zh
    assert supplement_rows(app, case) == []

    expiry, _, mac = (grant or "").partition(".")
    stretched = manifest.model_copy(
        update={"lookup_grant": f"{int(expiry) + 3600}.{mac}", "client_uuid": uuid.uuid4()}
    )
    refused = send(client, other_kiosk, stretched)
    assert (refused.status_code, refused.get_json()["error"]) == (403, "not_your_station")

    assert ingest_at(looked_up + lifetime - timedelta(seconds=1)).created
    assert [row.station_code for row in supplement_rows(app, case)] == [other_kiosk.station_code]


def test_lookups_are_rate_limited_per_kiosk(app, client, other_kiosk, kiosk, staff):
    app.config["SUPPLEMENT_LOOKUPS_PER_HOUR"] = 3
    case = new_case(app, client, kiosk)
    ask(app, case, ["户口簿首页"])
    body = {"receipt_no": receipt(app, case), "id_number": id_number(QINSHUI)}
    codes = [client.post("/supplements/lookup", other_kiosk, json=body).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    limited = client.post("/supplements/lookup", other_kiosk, json=body)
    assert limited.status_code == 429
    assert "每小时最多查询 3 次" in limited.get_json()["message_zh"]
    # another kiosk's budget is its own
    assert client.post("/supplements/lookup", kiosk, json=body).status_code == 200


def _material_name(app, case: int, code: str) -> str:
    with get_db(app).transaction() as session:
        sub = session.get_one(Submission, case)
        matter = session.get_one(Matter, sub.matter_code)
        return next(m["name"] for m in matter.body["guide"]["materials"] if m["code"] == code)


def test_the_reviewer_sees_what_was_asked_beside_what_came(app, client, kiosk, as_user):
    case = new_case(app, client, kiosk)
    rev = as_user("rev_a")
    rev.get(f"/workspace/submissions/{case}")
    asked = rev.post(f"/workspace/submissions/{case}/correct", {"items_text": "户口簿首页\n"})
    assert asked.status_code == 303
    page = rev.get(f"/workspace/submissions/{case}").get_data(as_text=True)
    form = f'submissions/{case}/correct"'
    assert form not in page and "户口簿首页" in page  # one notice per round

    manifest, blobs = supplement(kiosk, receipt(app, case), {"item-1": [png_page(51)]})
    assert send(client, kiosk, manifest, blobs).status_code == 201
    page = rev.get(f"/workspace/submissions/{case}").get_data(as_text=True)
    assert "补正 1：户口簿首页 · 第 1 页" in page  # the supplement page, named by what was asked
    assert "申请材料（3 页）" in page and form in page  # a further round may be asked
    again = rev.post(f"/workspace/submissions/{case}/correct", {"items_text": "结婚证\n"})
    assert again.status_code == 303  # a second round after the supplement


def race(app, kiosk, bodies: list[dict]) -> list[tuple[int, bytes, str | None]]:
    """POST ``bodies`` to /supplements at the same moment, one thread each."""
    start = threading.Barrier(len(bodies))

    def post(body: dict) -> tuple[int, bytes, str | None]:
        http = app.test_client()
        start.wait()
        answer = http.post(f"{API_PREFIX}/supplements", json=body, headers=kiosk.headers)
        return answer.status_code, answer.data, (answer.get_json() or {}).get("error")

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


def supplement_rows(app, case: int) -> list[Supplement]:
    with get_db(app).transaction() as session:
        return list(session.scalars(select(Supplement).where(Supplement.submission_id == case)))


def test_a_retry_racing_its_original_gets_the_same_acknowledgement(app, client, kiosk, staff):
    case = new_case(app, client, kiosk)
    ask(app, case, ["户口簿首页"])
    manifest, blobs = supplement(kiosk, receipt(app, case), {"item-1": [png_page(41)]})
    upload(client, kiosk, blobs)
    results = race(app, kiosk, [manifest.to_json_dict()] * 3)
    [row] = supplement_rows(app, case)
    assert sorted(code for code, _, _ in results) == [200, 200, 201]
    assert {body for _, body, _ in results} == {row.ack_body.encode()}


def test_two_different_supplements_racing_store_one(app, client, kiosk, staff):
    case = new_case(app, client, kiosk)
    ask(app, case, ["户口簿首页"])
    first, blobs = supplement(kiosk, receipt(app, case), {"item-1": [png_page(42)]})
    second, more = supplement(kiosk, receipt(app, case), {"item-1": [png_page(43)]})
    upload(client, kiosk, {**blobs, **more})
    results = race(app, kiosk, [first.to_json_dict(), second.to_json_dict()])
    outcomes = sorted((code, error) for code, _, error in results)
    assert outcomes == [(201, None), (409, "not_awaiting_correction")]
    [row] = supplement_rows(app, case)
    with get_db(app).transaction() as session:
        marks = session.scalars(select(SubmissionPage.supplement).where(SubmissionPage.submission_id == case))
        assert [m for m in marks if m] == [1] and row.number == 1
