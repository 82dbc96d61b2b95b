"""Sneakernet: a sealed bundle of waiting submissions for a kiosk offline too long.

Format 2 (docs/sync-protocol.md, :mod:`shared_schema.bundle_seal`):
``tongban-bundle-<kiosk_id>-<time>.tar`` holding a clear ``bundle-header.json`` (kiosk
id, time, salt: no personal data), ``bundle.json.sealed`` (:class:`shared_schema.api.Bundle`)
and ``blobs/000000`` … (each page's hash and bytes), every member encrypted and
authenticated with AES-256-GCM under a key derived from the kiosk's *bundle key*. The
server imports it through the same exactly-once path as ``POST /submissions``; the items
stay waiting here (marked exported) until the status feed says they arrived, and normal
sync may still send them: the server deduplicates.

Privacy: a lost stick reveals the kiosk id, the time, how many pages and their sizes —
no names, ID numbers or images. Delete the bundle after import all the same.
"""

from __future__ import annotations

import io
import os
import secrets
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from shared_schema.api import Bundle
from shared_schema.bundle_seal import HEADER, SEALED_MANIFEST, BundleSeal, new_header

from .store.fsutil import fsync_dir
from .store.home import KioskStore
from .store.models import OutboxItem, utcnow
from .store.outbox import Outbox
from .store.states import WAITING


class ExportError(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class ExportResult:
    path: str
    submissions: int
    blobs: int
    bytes: int

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def _add(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o600
    tar.addfile(info, io.BytesIO(data))


def export_bundle(store: KioskStore, target: Path, now: datetime | None = None) -> ExportResult:
    identity = store.identity()
    if not identity.bundle_key:
        raise ExportError(
            "this kiosk has no bundle key (enrolled before bundles existed): re-enroll it", "no_bundle_key"
        )
    outbox = Outbox(store)
    now = now or datetime.now(UTC)
    entries = [e for e in outbox.entries(WAITING, limit=1_000_000)]
    if not entries:
        raise ExportError("nothing is waiting: no bundle written", "nothing_to_export")
    manifests = [outbox.manifest(e.client_uuid) for e in sorted(entries, key=lambda e: e.receipt_no)]
    bundle = Bundle(kiosk_id=identity.kiosk_id, created_at=now, submissions=manifests)
    raw = bundle.model_dump_json().encode("utf-8")
    header = new_header(identity.kiosk_id, now)
    seal = BundleSeal(identity.bundle_key, header)
    hashes = sorted({h for m in manifests for h in m.page_hashes()})
    target.mkdir(parents=True, exist_ok=True)
    final = target / f"tongban-bundle-{identity.kiosk_id}-{now:%Y%m%dT%H%M%SZ}.tar"
    tmp = target / f".tmp-{final.name}-{secrets.token_hex(4)}"
    stamp = now.timestamp()
    try:
        with open(tmp, "wb") as fh:
            with tarfile.open(fileobj=fh, mode="w", format=tarfile.PAX_FORMAT) as tar:
                _add(tar, HEADER, header, stamp)
                _add(tar, SEALED_MANIFEST, seal.seal(SEALED_MANIFEST, raw), stamp)
                for index, sha in enumerate(hashes):
                    name, sealed = seal.seal_blob(index, sha, store.pages.get(sha))
                    _add(tar, name, sealed, stamp)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        fsync_dir(target)
    finally:
        tmp.unlink(missing_ok=True)
    with store.db.write() as s:
        for entry in entries:
            row = s.get(OutboxItem, entry.client_uuid)
            if row is not None and row.state in {w.value for w in WAITING}:
                row.exported_at = utcnow()
    return ExportResult(str(final), len(manifests), len(hashes), final.stat().st_size)
