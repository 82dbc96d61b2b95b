"""Sealed sneakernet bundles (format 2): what both the kiosk and the server compute.

A bundle carries residents' personal data on a USB stick, so its contents are encrypted
and authenticated with AES-256-GCM; see docs/sync-protocol.md ("Sneakernet bundle").

- ``bundle-header.json`` (clear, no personal data): ``{"format": "tongban-bundle",
  "version": 2, "kiosk_id", "created_at", "salt"}`` — the server needs ``kiosk_id`` to
  pick the key; ``salt`` is 32 random bytes (hex), fresh for every bundle.
- key = HKDF-SHA256(input = the kiosk's ``bundle_key`` as UTF-8, salt, info
  ``b"tongban bundle v2 AES-256-GCM"``): a new key per bundle.
- every other member = ``nonce(12) ‖ AES-256-GCM(plain)``, with associated data
  ``SHA-256(header bytes) ‖ member name``: a member cannot be altered, renamed, moved
  to another bundle, or paired with an edited header without failing authentication.
- ``bundle.json.sealed``: plain = ``bundle.json`` (``shared_schema.api.Bundle``);
- ``blobs/000000``, ``blobs/000001`` …: plain = the page's 32-byte SHA-256 ‖ its bytes
  (names by number, so a stolen stick does not even list page hashes).

The GCM tag is the bundle's signature: only the kiosk and the server hold the bundle key,
so a bundle that opens was made by that kiosk (there is no separate HMAC).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = "tongban-bundle"
VERSION = 2
HEADER = "bundle-header.json"
SEALED_MANIFEST = "bundle.json.sealed"
BLOBS = "blobs"
HKDF_INFO = b"tongban bundle v2 AES-256-GCM"
NONCE_BYTES = 12
TAG_BYTES = 16
DIGEST_BYTES = 32
OVERHEAD = NONCE_BYTES + TAG_BYTES  # sealed size = plain size + OVERHEAD


class BundleSealError(Exception):
    """A member failed authentication: wrong key, altered bytes, or moved between bundles."""


def blob_name(index: int) -> str:
    return f"{BLOBS}/{index:06d}"


def new_header(kiosk_id: str, created_at: datetime) -> bytes:
    """The clear header of a new bundle (with a fresh random salt)."""
    header = {
        "format": FORMAT,
        "version": VERSION,
        "kiosk_id": kiosk_id,
        "created_at": created_at.isoformat(),
        "salt": os.urandom(32).hex(),
    }
    return json.dumps(header, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class BundleHeader:
    kiosk_id: str
    salt: bytes


def read_header(raw: bytes) -> BundleHeader:
    """ValueError unless ``raw`` is a format-2 bundle header."""
    header = json.loads(raw)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError("not a tongban bundle header")
    if header.get("version") != VERSION:
        raise ValueError(f"unsupported bundle version {header.get('version')!r}")
    kiosk_id, salt = header.get("kiosk_id"), header.get("salt")
    if not isinstance(kiosk_id, str) or not isinstance(salt, str) or len(salt) != 64:
        raise ValueError("bundle header lacks kiosk_id or a 32-byte salt")
    return BundleHeader(kiosk_id, bytes.fromhex(salt))


class BundleSeal:
    """Seal and open the members of one bundle (the key derived from its header's salt)."""

    def __init__(self, bundle_key: str, header_raw: bytes) -> None:
        salt = read_header(header_raw).salt
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=HKDF_INFO).derive(
            bundle_key.encode("utf-8")
        )
        self._aead = AESGCM(key)
        self._header_digest = hashlib.sha256(header_raw).digest()

    def _aad(self, name: str) -> bytes:
        return self._header_digest + name.encode("utf-8")

    def seal(self, name: str, plain: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plain, self._aad(name))

    def open(self, name: str, sealed: bytes) -> bytes:
        if len(sealed) < OVERHEAD:
            raise BundleSealError(f"{name} is too short to be sealed")
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], self._aad(name))
        except InvalidTag:
            raise BundleSealError(f"{name} failed authentication") from None

    def seal_blob(self, index: int, sha256: str, data: bytes) -> tuple[str, bytes]:
        name = blob_name(index)
        return name, self.seal(name, bytes.fromhex(sha256) + data)

    def open_blob(self, name: str, sealed: bytes) -> tuple[str, bytes]:
        """``(sha256 the kiosk named, page bytes)``; the caller still checks the hash."""
        plain = self.open(name, sealed)
        if len(plain) < DIGEST_BYTES:
            raise BundleSealError(f"{name} holds no page digest")
        return plain[:DIGEST_BYTES].hex(), plain[DIGEST_BYTES:]
