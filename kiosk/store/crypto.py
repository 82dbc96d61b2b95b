"""Encryption at rest of residents' personal data on the kiosk.

Threat model, honestly: the per-kiosk key lives in the kiosk home (``kiosk.key``, mode
0600, readable only by the kiosk's user). Encryption therefore protects page images and
manifests that leave the machine *without* the key: a page folder copied to a USB stick,
a disk image taken for repair, a backup that (as it should) excludes the key, a stolen
data partition when the key sits elsewhere. It does **not** protect against anyone who
can read the key: root on the running kiosk, or someone copying the whole home including
``kiosk.key``. Page file names are plaintext sha256 hashes (the protocol addresses pages
by them), so someone holding a known image can confirm it is stored; no content leaks.

Format of a sealed blob: ``b"TB1" + nonce(12) + AES-256-GCM(ciphertext + tag)``. The
associated data binds each blob to its purpose and name (``page:<sha256>``,
``manifest:<uuid>``), so files cannot be swapped for one another unnoticed.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .fsutil import atomic_write

MAGIC = b"TB1"
NONCE_BYTES = 12
KEY_FILE = "kiosk.key"


class DecryptionError(Exception):
    """A sealed file is damaged, was swapped, or belongs to another kiosk's key."""


class KioskKey:
    """The per-kiosk AES-256-GCM key and the seal/open operations that use it."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("kiosk key must be 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def load_or_create(cls, home: Path) -> KioskKey:
        """Read ``<home>/kiosk.key``; create it (mode 0600) on first start."""
        path = home / KEY_FILE
        if not path.exists():
            atomic_write(path, AESGCM.generate_key(bit_length=256), mode=0o600)
        raw = path.read_bytes()
        if len(raw) != 32:
            raise ValueError(f"{path} is damaged (expected 32 bytes, found {len(raw)})")
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)  # never leave the key readable by others
        return cls(raw)

    def seal(self, data: bytes, purpose: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return MAGIC + nonce + self._aead.encrypt(nonce, data, purpose.encode("utf-8"))

    def open(self, blob: bytes, purpose: str) -> bytes:
        if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + NONCE_BYTES + 16:
            raise DecryptionError(f"not a sealed kiosk file ({purpose})")
        nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], purpose.encode("utf-8"))
        except InvalidTag:
            raise DecryptionError(f"sealed file failed authentication ({purpose})") from None
