"""Enrollment: trade the one-time code from the admin for this kiosk's own credentials."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

from shared_schema import SchemaError
from shared_schema.api import EnrollAnswer
from shared_schema.receipts import kiosk_short_of

from ..store.identity import KioskIdentity, save_identity
from .client import ApiClient
from .errors import Refused, SyncError, TransientError


class EnrollmentFailed(SyncError):
    reason = "enrollment_failed"


def enroll(
    home: Path, server_url: str, code: str, name: str | None = None, profile: str = "virtual"
) -> KioskIdentity:
    """``POST /enroll`` and store the credentials (mode 0600) in the kiosk home."""
    client = ApiClient(server_url)
    body = {"code": code.strip(), "name": name or socket.gethostname(), "profile": profile}
    try:
        answer = client.call("POST", "/enroll", json_body=body, signed=False)
    except Refused as exc:
        raise EnrollmentFailed(f"enrollment code refused ({exc.code}): {exc}", status=exc.status) from None
    except TransientError as exc:
        raise EnrollmentFailed(f"server unreachable: {exc}") from None
    finally:
        client.close()
    try:
        data = EnrollAnswer.parse(answer.body, source="POST /enroll")
    except SchemaError as exc:
        raise EnrollmentFailed(
            f"enrollment answer is malformed (is the URL the tongban server?): {exc}"
        ) from None
    short = kiosk_short_of(data.kiosk_id)  # kiosk ids are receipt-safe: this is the id itself
    identity = KioskIdentity(
        kiosk_id=data.kiosk_id,
        station_code=data.station_code,
        secret=data.secret,
        server_url=server_url.rstrip("/"),
        kiosk_short=short,
        server_key_id=data.server_key_id,
        bundle_key=data.bundle_key,
        enrolled_at=datetime.now(UTC).isoformat(),
    )
    save_identity(home, identity)
    return identity
