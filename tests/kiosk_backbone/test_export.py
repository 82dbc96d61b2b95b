"""Sneakernet: a sealed bundle the real server imports; the kiosk learns it on sync."""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.export import ExportError, export_bundle
from kiosk.store import KioskStore, Outbox, OutboxState, load_identity
from kiosk.sync.service import SyncService
from shared_schema.api import Bundle
from shared_schema.protocol import sha256_hex
from tests.support.live_server import LiveServer

from .conftest import MATTER, applicant, finalize_one


def _open(bundle_key: str, header: bytes, name: str, sealed: bytes) -> bytes:
    """The documented format, implemented here from the spec (not with the shared code)."""
    salt = bytes.fromhex(json.loads(header)["salt"])
    key = HKDF(hashes.SHA256(), 32, salt, b"tongban bundle v2 AES-256-GCM").derive(bundle_key.encode())
    aad = hashlib.sha256(header).digest() + name.encode()
    return AESGCM(key).decrypt(sealed[:12], sealed[12:], aad)


def test_export_bundle_is_sealed_and_complete(store: KioskStore, tmp_path: Path) -> None:
    uuids = [finalize_one(store, seed=200 + i, pages=2) for i in range(3)]
    result = export_bundle(store, tmp_path / "usb")
    assert result.submissions == 3 and result.blobs == 6
    with tarfile.open(result.path) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    ident = load_identity(store.home)
    header = members.pop("bundle-header.json")
    assert json.loads(header)["kiosk_id"] == ident.kiosk_id and json.loads(header)["version"] == 2
    sealed_manifest = members.pop("bundle.json.sealed")
    raw = _open(ident.bundle_key, header, "bundle.json.sealed", sealed_manifest)
    with pytest.raises(InvalidTag):  # another kiosk's key opens nothing
        _open("c" * 64, header, "bundle.json.sealed", sealed_manifest)
    blobs = {}
    for name, sealed in members.items():
        plain = _open(ident.bundle_key, header, name, sealed)
        blobs[plain[:32].hex()] = plain[32:]
    bundle = Bundle.parse(json.loads(raw))
    assert {str(m.client_uuid) for m in bundle.submissions} == set(uuids)
    assert all(sha256_hex(data) == sha for sha, data in blobs.items())
    assert {h for m in bundle.submissions for h in m.page_hashes()} == set(blobs)
    outbox = Outbox(store)
    assert all(outbox.get(u).exported and outbox.get(u).state is OutboxState.finalized for u in uuids)
    assert not list((tmp_path / "usb").glob(".tmp-*"))


def test_bundle_file_holds_no_personal_data_in_clear(store: KioskStore, tmp_path: Path) -> None:
    seeds = [300, 301]
    for seed in seeds:
        finalize_one(store, seed=seed, pages=1)
    data = Path(export_bundle(store, tmp_path / "usb").path).read_bytes()
    for seed in seeds:
        person = applicant(seed)
        for value in (person["id_number"], person["name"], person["phone"]):
            assert value.encode("utf-8") not in data
    assert b"pickup" not in data and MATTER.encode() not in data  # the manifests are not readable


def test_nothing_waiting_writes_nothing(store: KioskStore, tmp_path: Path) -> None:
    with pytest.raises(ExportError):
        export_bundle(store, tmp_path / "usb")


def test_imported_bundle_is_learnt_from_the_feed(
    enrolled: KioskStore, server: LiveServer, tmp_path: Path
) -> None:
    uuids = [finalize_one(enrolled, seed=210 + i, pages=1 + i) for i in range(2)]
    result = export_bundle(enrolled, tmp_path / "usb")
    from sync_server.bundles import import_bundle  # what `tongban server import` runs

    report = import_bundle(server.in_app(), Path(result.path))
    assert report["created"] == 2 and not report["failed"]
    again = import_bundle(server.in_app(), Path(result.path))
    assert again["created"] == 0 and again["replayed"] == 2  # exactly once
    sync = SyncService(enrolled).run_once()
    assert sync.ok, sync.error
    outbox = Outbox(enrolled)
    for uuid in uuids:
        entry = outbox.get(uuid)
        assert entry.state in (OutboxState.acknowledged, OutboxState.routed) and not entry.exported
    assert sync.pushed.acknowledged == [] or set(sync.pushed.acknowledged) <= set(uuids)
    rows = server.query(
        "SELECT count(*) FROM submissions WHERE kiosk_id = :k", k=load_identity(enrolled.home).kiosk_id
    )
    assert rows == [(2,)]
