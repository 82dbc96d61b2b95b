"""Sneakernet: a signed bundle the real server imports; the kiosk learns it on sync."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from kiosk.export import ExportError, export_bundle
from kiosk.store import KioskStore, Outbox, OutboxState, load_identity
from kiosk.sync.service import SyncService
from shared_schema.api import Bundle
from shared_schema.protocol import BUNDLE_MANIFEST, BUNDLE_SIGNATURE, sha256_hex, verify
from tests.support.live_server import LiveServer

from .conftest import finalize_one


def test_export_bundle_is_signed_and_complete(store: KioskStore, tmp_path: Path) -> None:
    uuids = [finalize_one(store, seed=200 + i, pages=2) for i in range(3)]
    result = export_bundle(store, tmp_path / "usb")
    assert result.submissions == 3 and result.blobs == 6
    with tarfile.open(result.path) as tar:
        names = tar.getnames()
        raw = tar.extractfile(BUNDLE_MANIFEST).read()
        signature = tar.extractfile(BUNDLE_SIGNATURE).read().decode()
        blobs = {n.split("/")[1]: tar.extractfile(n).read() for n in names if n.startswith("blobs/")}
    ident = load_identity(store.home)
    assert verify(ident.bundle_key, raw, signature)
    assert not verify(ident.bundle_key, raw.replace(b"KTEST1", b"KTEST2"), signature)
    bundle = Bundle.parse(json.loads(raw))
    assert {str(m.client_uuid) for m in bundle.submissions} == set(uuids)
    assert all(sha256_hex(data) == sha for sha, data in blobs.items())
    assert {h for m in bundle.submissions for h in m.page_hashes()} == set(blobs)
    outbox = Outbox(store)
    assert all(outbox.get(u).exported and outbox.get(u).state is OutboxState.finalized for u in uuids)
    assert not list((tmp_path / "usb").glob(".tmp-*"))


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
