"""A kiosk may commit only receipt numbers from its own range (issue 10).

Before this check a kiosk could commit ``<STATION>-<OTHER KIOSK>-<date>-0001`` and the
real owner's submission then got 409 ``receipt_conflict`` and sat as failed.
"""

from __future__ import annotations

import uuid

from sync_server.db import get_db
from sync_server.models import Submission

from .conftest import enroll_kiosk, submit
from .factories import STATION_ZEZHOU, make_manifest


def _with_receipt(manifest, receipt_no: str):
    return manifest.model_copy(update={"receipt_no": receipt_no})


def _stored(app) -> list[str]:
    with get_db(app).transaction() as session:
        return sorted(session.scalars(Submission.__table__.select().with_only_columns(Submission.receipt_no)))


def test_another_kiosks_number_is_refused_and_the_owner_still_commits(app, client, kiosk):
    owner = enroll_kiosk(app, STATION_ZEZHOU)  # same station: only the kiosk part differs
    owners, owner_blobs = make_manifest(owner.kiosk_id, seq=1)
    squat, blobs = make_manifest(kiosk.kiosk_id, seq=1)
    squat = _with_receipt(squat, owners.receipt_no)
    refused = submit(client, kiosk, squat, blobs)
    body = refused.get_json()
    assert refused.status_code == 403 and body["error"] == "not_your_receipt_no", body
    assert body["details"] == {
        "receipt_no": owners.receipt_no,
        "prefix": f"{STATION_ZEZHOU}-{kiosk.kiosk_id}-",
    }
    assert body["message_zh"] and _stored(app) == []
    assert submit(client, owner, owners, owner_blobs).status_code == 201
    assert _stored(app) == [owners.receipt_no]


def test_another_stations_prefix_is_refused(app, client, kiosk, other_kiosk):
    manifest, blobs = make_manifest(kiosk.kiosk_id, seq=2)
    foreign = _with_receipt(manifest, f"{other_kiosk.station_code}-{kiosk.kiosk_id}-20260105-0002")
    refused = submit(client, kiosk, foreign, blobs)
    assert refused.status_code == 403 and refused.get_json()["error"] == "not_your_receipt_no"
    assert submit(client, kiosk, manifest).status_code == 201  # its own number goes through


def test_a_real_conflict_names_the_highest_sequence_of_that_day(app, client, kiosk):
    for seq in (3, 12, 7):
        manifest, blobs = make_manifest(kiosk.kiosk_id, seq=seq)
        assert submit(client, kiosk, manifest, blobs).status_code == 201
    other_day, blobs = make_manifest(kiosk.kiosk_id, seq=40)
    other_day = _with_receipt(other_day, other_day.receipt_no.replace("20260105", "20260106"))
    assert submit(client, kiosk, other_day, blobs).status_code == 201
    reissued, _ = make_manifest(kiosk.kiosk_id, seq=3, client_uuid=uuid.uuid4())  # e.g. an old backup
    conflict = client.post("/submissions", kiosk, json=reissued.model_dump(mode="json"))
    body = conflict.get_json()
    assert conflict.status_code == 409 and body["error"] == "receipt_conflict"
    assert body["details"] == {"receipt_no": reissued.receipt_no, "last_seq": 12}


def test_a_kiosk_cannot_file_an_online_case(app, client, kiosk):
    manifest, blobs = make_manifest(kiosk.kiosk_id, seq=5)
    online = manifest.model_copy(update={"channel": "online"})
    refused = submit(client, kiosk, online, blobs)
    body = refused.get_json()
    assert refused.status_code == 403 and body["error"] == "wrong_channel", body
    assert body["details"] == {"channel": "online", "source": "api"} and body["message_zh"]
    assert _stored(app) == []
    assert submit(client, kiosk, manifest).status_code == 201  # the kiosk's own channel goes through
