"""Sneakernet bundle import: sealed contents, blob hashes, exactly once, the kiosk learns of it."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from shared_schema.bundle_seal import HEADER
from shared_schema.protocol import sha256_hex
from sync_server.bundles import import_bundle
from sync_server.db import get_db
from sync_server.enrollment import revoke
from sync_server.errors import ApiError
from sync_server.models import Submission

from .conftest import submit
from .factories import make_bundle, make_manifest, write_tar


def _count(app) -> int:
    with get_db(app).transaction() as session:
        return session.scalar(select(func.count()).select_from(Submission))


def _bundle(tmp_path, kiosk, n=3, **kw):
    manifests, blobs = [], {}
    for i in range(1, n + 1):
        manifest, pages = make_manifest(kiosk.kiosk_id, seq=i)
        manifests.append(manifest)
        blobs.update(pages)
    path = make_bundle(
        tmp_path / f"tongban-bundle-{kiosk.kiosk_id}.tar",
        kiosk.kiosk_id,
        kiosk.bundle_key,
        manifests,
        blobs,
        **kw,
    )
    return path, manifests, blobs


def test_import_exactly_once_and_feed(app, client, kiosk, tmp_path):
    path, manifests, _ = _bundle(tmp_path, kiosk)
    report = import_bundle(app, path)
    assert (report["created"], report["replayed"], report["failed"]) == (3, 0, [])
    assert report["blobs_stored"] == 6
    again = import_bundle(app, path)
    assert (again["created"], again["replayed"], again["blobs_present"]) == (0, 3, 6)
    assert _count(app) == 3
    assert submit(client, kiosk, manifests[0]).status_code == 200  # the kiosk's later upload is a replay
    feed = client.get("/status-feed", kiosk).get_json()["events"]
    assert {e["receipt_no"] for e in feed if e["state"] == "acknowledged"} == {
        m.receipt_no for m in manifests
    }
    with get_db(app).transaction() as session:
        assert set(session.scalars(select(Submission.source))) == {"bundle"}


def test_no_personal_data_in_clear(kiosk, tmp_path):
    path, manifests, blobs = _bundle(tmp_path, kiosk)
    raw = path.read_bytes()
    for manifest in manifests:
        applicant = manifest.applicant
        for secret in (applicant.id_number, applicant.name, applicant.phone, manifest.receipt_no):
            assert secret and secret.encode("utf-8") not in raw
            assert secret.encode("utf-16-le") not in raw
    for sha, page in blobs.items():
        assert sha.encode() not in raw and page[8:40] not in raw  # neither page names nor bytes


def test_bundle_of_another_key_stores_nothing(app, kiosk, other_kiosk, tmp_path):
    path, _, _ = _bundle(tmp_path, kiosk, seal_key=other_kiosk.bundle_key)
    with pytest.raises(ApiError) as info:
        import_bundle(app, path)
    assert info.value.code == "bad_signature"
    assert _count(app) == 0


def test_edited_header_or_plain_bundle_refused(app, kiosk, other_kiosk, tmp_path):
    path, _, _ = _bundle(tmp_path, kiosk, n=1)
    members = _members(path)
    header = json.loads(members[HEADER])
    for change in ({"kiosk_id": other_kiosk.kiosk_id}, {"created_at": "2020-01-01T00:00:00+00:00"}):
        forged = json.dumps({**header, **change}).encode()
        edited = write_tar(tmp_path / "edited.tar", {**members, HEADER: forged})
        with pytest.raises(ApiError) as info:
            import_bundle(app, edited)
        assert info.value.code == "bad_signature"  # the header is bound into every member
    plain = write_tar(tmp_path / "plain.tar", {"bundle.json": b'{"submissions": []}', "bundle.sig": b"00"})
    with pytest.raises(ApiError) as info:
        import_bundle(app, plain)
    assert info.value.code == "bundle_unencrypted"
    assert _count(app) == 0


def test_tampered_page_fails_only_its_submission(app, kiosk, tmp_path):
    path, manifests, blobs = _bundle(tmp_path, kiosk, n=2)
    members = _members(path)
    victim = "blobs/000003"  # the second page of the second submission
    members[victim] = members[victim][:-1] + bytes([members[victim][-1] ^ 1])
    report = import_bundle(app, write_tar(tmp_path / "tampered.tar", members))
    assert report["created"] == 1 and [(b["member"], b["error"]) for b in report["bad_blobs"]] == [
        (victim, "bad_seal")
    ]
    (failure,) = report["failed"]
    assert failure["receipt_no"] == manifests[1].receipt_no and failure["error"] == "missing_blobs"
    assert failure["details"]["missing"] == [list(blobs)[3]]


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def test_corrupt_blob_fails_only_its_submission(app, kiosk, tmp_path):
    manifest_ok, pages_ok = make_manifest(kiosk.kiosk_id, seq=1)
    manifest_bad, pages_bad = make_manifest(kiosk.kiosk_id, seq=2)
    broken = dict(pages_bad)
    first = next(iter(broken))
    broken[first] = broken[first][:-5] + b"XXXXX"
    path = make_bundle(
        tmp_path / "b.tar",
        kiosk.kiosk_id,
        kiosk.bundle_key,
        [manifest_ok, manifest_bad],
        {**pages_ok, **broken},
    )
    report = import_bundle(app, path)
    assert report["created"] == 1 and [b["sha256"] for b in report["bad_blobs"]] == [first]
    (failure,) = report["failed"]
    assert failure["receipt_no"] == manifest_bad.receipt_no and failure["error"] == "missing_blobs"
    assert failure["details"]["missing"] == [first]
    assert sha256_hex(pages_bad[first]) == first


def test_revoked_or_unknown_kiosk_refused(app, kiosk, tmp_path):
    path, _, _ = _bundle(tmp_path, kiosk, n=1)
    with get_db(app).transaction(write=True) as session:
        revoke(session, kiosk.kiosk_id)
    with pytest.raises(ApiError) as info:
        import_bundle(app, path)
    assert info.value.code == "kiosk_revoked"
    (tmp_path / "junk.tar").write_bytes(b"not a tar")
    with pytest.raises(ApiError):
        import_bundle(app, tmp_path / "junk.tar")
