"""Local store: sealed files, file modes, start-up recovery, integrity check, purge."""

from __future__ import annotations

import os
import stat
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.hardware.printer import PRINTS_FOLDER, Document, PdfFilePrinter
from kiosk.store import Drafts, KioskStore, Outbox, OutboxState, StoreCorrupt
from kiosk.store.crypto import DecryptionError
from kiosk.store.models import OutboxItem, utcnow
from kiosk.store.outbox import UnknownSubmission
from kiosk.store.purge import PURGE_EVERY, purge, purge_if_due
from kiosk.store.recovery import recover
from kiosk.sync.service import SyncService
from shared_schema.protocol import sha256_hex

from .conftest import applicant, finalize_one, jpeg_page


def _all_bytes(home: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}


def test_no_personal_data_in_plain_text_anywhere(home: Path) -> None:
    with KioskStore(home) as store:
        uuids = [finalize_one(store, seed=s, pages=2) for s in (11, 12)]
        Drafts(store).create("JC-RS-001", "2024.06.01")  # a reservation in progress, too
        pages = [p for u in uuids for p in Outbox(store).page_hashes(u)]
    secrets = [applicant(s)["id_number"] for s in (11, 12)] + [applicant(11)["name"]]
    files = _all_bytes(home)  # database, its WAL, page files, manifests, key, credentials
    assert any(p.name.endswith("-wal") or p.name == "kiosk.db" for p in files)
    control = Outbox(store).get(uuids[0]).receipt_no.encode()  # not secret: must be found
    assert [p for p, data in files.items() if control in data], "the search cannot see the database"
    for secret in secrets:
        for encoding in ("utf-8", "utf-16-le"):
            needle = secret.encode(encoding)
            assert not [p for p, data in files.items() if needle in data], secret
    page_plain = jpeg_page(1100)  # first page of seed 11, as captured
    assert sha256_hex(page_plain) in pages
    assert not [p for p, data in files.items() if page_plain[200:264] in data]


def test_file_modes_and_sealed_files_are_bound_to_their_name(store: KioskStore) -> None:
    uuid = finalize_one(store, seed=21, pages=1)
    for name in ("kiosk.key", "credentials.json"):
        assert stat.S_IMODE((store.home / name).stat().st_mode) == 0o600
    sha = Outbox(store).page_hashes(uuid)[0]
    assert store.pages.path(sha) == store.home / "pages" / sha[:2] / sha
    assert stat.S_IMODE(store.pages.path(sha).stat().st_mode) == 0o600
    other = finalize_one(store, seed=22, pages=1)
    # a manifest copied over another one's name does not open: AES-GCM associated data
    store.manifests.path(other).write_bytes(store.manifests.path(uuid).read_bytes())
    with pytest.raises(DecryptionError):
        store.manifests.read(other)


def test_a_page_is_stored_once(store: KioskStore) -> None:
    data = jpeg_page(5)
    assert store.pages.put(data) == store.pages.put(data) == sha256_hex(data)
    assert store.pages.get(sha256_hex(data)) == data
    assert len(list((store.home / "pages").rglob("*"))) == 2  # one folder, one file


def test_startup_recovery_puts_uploads_back(home: Path) -> None:
    with KioskStore(home) as store:
        uuid = finalize_one(store, seed=31, pages=1)
        assert Outbox(store).begin_upload(uuid)
    with KioskStore(home) as store:  # "restart"
        outbox = Outbox(store)
        assert outbox.get(uuid).state is OutboxState.uploading
        assert outbox.recover_interrupted() == 1
        assert outbox.get(uuid).state is OutboxState.finalized
        assert outbox.waiting_uuids() == [uuid]


def _corrupt(db: Path) -> None:
    raw = bytearray(db.read_bytes())
    for offset in range(4096, len(raw), 4096):  # scribble over every page after the header page
        raw[offset + 8 : offset + 200] = b"\xa5" * 192
    db.write_bytes(bytes(raw))


def test_corrupt_database_is_detected_and_recovered_from_manifests(home: Path) -> None:
    with KioskStore(home) as store:
        uuids = [finalize_one(store, seed=s, pages=2) for s in (41, 42, 43)]
        Outbox(store).begin_upload(uuids[0])
        Outbox(store).acknowledge(uuids[0], {"state": "routed"})
        receipt_nos = {Outbox(store).get(u).receipt_no for u in uuids}
        store.db.checkpoint()
    _corrupt(home / "kiosk.db")
    with pytest.raises(StoreCorrupt) as caught:
        KioskStore(home)
    assert "tongban kiosk recover" in str(caught.value) and caught.value.findings
    report = recover(home)
    assert report.recovered == 3 and not report.unreadable
    assert (Path(report.moved_to) / "kiosk.db").exists()  # moved aside, not deleted
    with KioskStore(home, check="full") as store:
        outbox = Outbox(store)
        assert sorted(outbox.waiting_uuids()) == sorted(uuids)  # server dedups the acknowledged one
        assert {e.receipt_no for e in outbox.entries()} == receipt_nos
        for uuid in uuids:
            manifest = outbox.manifest(uuid)
            for sha in manifest.page_hashes():
                assert sha256_hex(store.pages.get(sha)) == sha
        new = Drafts(store).create("JC-RS-001", "2024.06.01")  # numbering continues, no reuse
        assert new.receipt_no not in receipt_nos
        assert int(new.receipt_no[-4:]) == 4


def test_a_file_that_is_not_a_database_is_reported(home: Path) -> None:
    (home / "kiosk.db").write_bytes(b"this is not sqlite" * 300)
    with pytest.raises(StoreCorrupt):
        KioskStore(home)


def test_purge_keeps_receipt_state_and_hashes_only(store: KioskStore) -> None:
    outbox = Outbox(store)
    old, recent, waiting = (finalize_one(store, seed=s, pages=2) for s in (51, 52, 53))
    for uuid in (old, recent):
        outbox.begin_upload(uuid)
        outbox.acknowledge(uuid, {"state": "routed"})
    with store.db.write() as s:
        s.get(OutboxItem, old).acknowledged_at = utcnow() - timedelta(days=40)
    abandoned = Drafts(store).create("JC-RS-001", "2024.06.01")
    with store.db.write() as s:
        s.get(OutboxItem, abandoned.client_uuid).created_at = utcnow() - timedelta(days=2)
    old_pages = outbox.page_hashes(old)
    report = purge(store, after=timedelta(days=30))
    assert (report.submissions, report.drafts, report.page_files) == (1, 1, 2)
    entry = outbox.get(old)
    assert entry.purged and entry.state is OutboxState.routed and entry.receipt_no
    assert outbox.page_hashes(old) == old_pages  # hashes kept
    assert not store.manifests.path(old).exists()
    assert not any(store.pages.has(h) for h in old_pages)
    for uuid in (recent, waiting):  # not due / never acknowledged: untouched
        assert outbox.manifest(uuid) and all(store.pages.has(h) for h in outbox.page_hashes(uuid))
    with store.db.read() as s:
        assert (
            s.scalars(select(OutboxItem).where(OutboxItem.client_uuid == abandoned.client_uuid)).first()
            is None
        )
    assert purge(store).submissions == 0  # idempotent


def test_the_sync_service_purges_on_schedule_printed_copies_included(store: KioskStore) -> None:
    """Offline or not, each sync cycle purges when due: no kiosk relies on staff running it."""
    printer = PdfFilePrinter(store.home / PRINTS_FOLDER)  # where every kiosk printer keeps its copy
    yesterday = printer.print(Document("receipt", "R-OLD", b"%PDF-1.4 old receipt")).pdf_path
    two_days_ago = time.time() - 2 * 86400
    os.utime(yesterday, (two_days_ago, two_days_ago))
    today = printer.print(Document("receipt", "R-NEW", b"%PDF-1.4 new receipt")).pdf_path
    abandoned = Drafts(store).create("JC-RS-001", "2024.06.01")
    with store.db.write() as s:
        s.get(OutboxItem, abandoned.client_uuid).created_at = utcnow() - timedelta(days=2)

    service = SyncService(store)  # not enrolled: the cycle fails, the purge still runs
    first = service.run_once()
    assert first.purged and not first.ok
    assert not yesterday.exists() and today.exists()
    with pytest.raises(UnknownSubmission):  # the abandoned draft went too
        Outbox(store).get(abandoned.client_uuid)

    os.utime(today, (two_days_ago, two_days_ago))
    assert not service.run_once().purged  # not due again for PURGE_EVERY
    assert today.exists()
    later = utcnow() + PURGE_EVERY
    assert purge_if_due(store, now=later) and not today.exists()
