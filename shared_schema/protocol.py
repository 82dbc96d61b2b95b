"""Wire-level pieces of the sync protocol both sides must compute identically.

See docs/sync-protocol.md. A kiosk only trusts a 2xx answer that the server signed with
the kiosk's own secret: a captive portal or a proxy answering 200 cannot forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import re

API_PREFIX = "/api/v1"
SIGNATURE_HEADER = "X-Tongban-Signature"
RESULT_SHA256_HEADER = "X-Tongban-Result-Sha256"  # on result PDFs: hex SHA-256 of the body
AUTH_SCHEME = "Bearer"
BUNDLE_MANIFEST = "bundle.json"
BUNDLE_SIGNATURE = "bundle.sig"
BUNDLE_BLOBS = "blobs"
KIOSK_ID = r"^[0-9A-Z]{2,8}$"
_KIOSK_ID = re.compile(KIOSK_ID)


def sign(secret: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``body`` under the kiosk secret."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str | None) -> bool:
    """Constant-time check of a signature made by :func:`sign`."""
    if not signature:
        return False
    return hmac.compare_digest(sign(secret, body), signature.strip().lower())


def auth_header(kiosk_id: str, secret: str) -> dict[str, str]:
    """The ``Authorization`` header every enrolled-kiosk request carries."""
    return {"Authorization": f"{AUTH_SCHEME} {kiosk_id}:{secret}"}


def parse_auth_header(value: str | None) -> tuple[str, str] | None:
    """``(kiosk_id, secret)`` from an Authorization header, or None when malformed (a
    kiosk id that no enrollment issues is never looked up)."""
    if not value or not value.startswith(AUTH_SCHEME + " "):
        return None
    token = value[len(AUTH_SCHEME) + 1 :].strip()
    kiosk_id, sep, secret = token.partition(":")
    if not sep or not _KIOSK_ID.fullmatch(kiosk_id) or not secret:
        return None
    return kiosk_id, secret


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
