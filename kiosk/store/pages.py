"""Content-addressed, encrypted page files: ``pages/ab/<sha256>``.

Pages are named by the sha256 of their *plaintext* bytes, the same name the server uses,
so "which pages does the server still lack" is a set difference and a page stored twice
is stored once. Each file is sealed with the kiosk key (see :mod:`kiosk.store.crypto`).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .crypto import KioskKey
from .fsutil import atomic_write, clean_temp_files, remove_durably

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class PageMissing(Exception):
    """A page the outbox refers to is not on disk (or fails authentication)."""


class PageStore:
    """``purpose`` names what the files are (``page``, ``result``): it is bound into each
    seal, so a file cannot be passed off as one of another kind."""

    def __init__(self, root: Path, key: KioskKey, purpose: str = "page") -> None:
        self.root = root
        self._key = key
        self.purpose = purpose
        root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` (idempotent) and return its sha256."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.path(digest)
        if not path.exists():
            atomic_write(path, self._key.seal(data, f"{self.purpose}:{digest}"))
        return digest

    def has(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def get(self, sha256: str) -> bytes:
        """The plaintext page, verified against its name."""
        try:
            sealed = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise PageMissing(f"{self.purpose} {sha256} is not stored on this kiosk") from None
        try:
            data = self._key.open(sealed, f"{self.purpose}:{sha256}")
        except Exception as exc:
            raise PageMissing(f"{self.purpose} {sha256} is unreadable: {exc}") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise PageMissing(f"{self.purpose} {sha256} does not match its hash")
        return data

    def delete(self, sha256: str) -> bool:
        return remove_durably(self.path(sha256))

    def all_hashes(self) -> set[str]:
        return {p.name for p in self.root.glob("??/*") if _SHA256.match(p.name)}

    def clean(self) -> int:
        return clean_temp_files(self.root)
