"""The kiosk home folder and everything opened from it.

Layout::

    kiosk.db, kiosk.db-wal    outbox, counters, feed cursor (SQLite, WAL)
    kiosk.key                 per-kiosk AES-256-GCM key (0600)
    credentials.json          enrollment credentials (0600)
    pages/ab/<sha256>         sealed page images, content-addressed
    manifests/<uuid>          sealed SubmissionManifest JSON of each finalized submission
    results/ab/<sha256>       sealed result PDFs announced for pickup here (kiosk.store.results)
    catalog/                  cached catalog + ETag
    corrupt/<time>/           databases moved aside by recovery
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from uuid import UUID

from shared_schema import SubmissionManifest

from .crypto import KioskKey
from .db import DB_FILE, Database
from .fsutil import atomic_write, clean_temp_files, remove_durably
from .identity import KioskIdentity, load_identity
from .pages import PageStore

log = logging.getLogger(__name__)


class ManifestStore:
    """Sealed manifest files: the recovery copy of every finalized submission."""

    def __init__(self, root: Path, key: KioskKey) -> None:
        self.root = root
        self._key = key
        root.mkdir(parents=True, exist_ok=True)

    def path(self, client_uuid: str) -> Path:
        return self.root / str(UUID(client_uuid))

    def write(self, manifest: SubmissionManifest) -> bytes:
        """Seal and store; returns the exact JSON bytes (the digest is taken over these)."""
        raw = json.dumps(manifest.to_json_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        uuid = str(manifest.client_uuid)
        atomic_write(self.path(uuid), self._key.seal(raw, f"manifest:{uuid}"))
        return raw

    def read(self, client_uuid: str) -> SubmissionManifest:
        sealed = self.path(client_uuid).read_bytes()
        raw = self._key.open(sealed, f"manifest:{client_uuid}")
        return SubmissionManifest.parse_json(raw, source=str(self.path(client_uuid)))

    def delete(self, client_uuid: str) -> bool:
        return remove_durably(self.path(client_uuid))

    def all_uuids(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if not p.name.startswith("."))


class KioskStore:
    """Database, key, page files and manifests of one kiosk home."""

    def __init__(self, home: Path, *, check: str | None = "quick") -> None:
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.key = KioskKey.load_or_create(self.home)
        self.db = Database(self.home / DB_FILE, check=check)
        self.pages = PageStore(self.home / "pages", self.key)
        self.manifests = ManifestStore(self.home / "manifests", self.key)
        self.results = PageStore(self.home / "results", self.key, purpose="result")
        removed = sum(clean_temp_files(s.root) for s in (self.pages, self.manifests, self.results))
        if removed:
            log.info("removed %d temporary files left by an interrupted write", removed)

    def identity(self) -> KioskIdentity:
        return load_identity(self.home)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> KioskStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
