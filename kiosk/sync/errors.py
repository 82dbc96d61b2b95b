"""What can go wrong talking to the server, sorted by what the kiosk should do about it."""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    """Base class; ``reason`` is a stable code for logs and the heartbeat."""

    reason = "sync_error"

    def __init__(self, message: str, *, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class TransientError(SyncError):
    """Try again later with backoff: network down, timeout, 5xx, or an answer the kiosk
    cannot trust (unsigned 200 from a captive portal, malformed body)."""

    reason = "transient"


class Unauthorized(SyncError):
    """401: the kiosk is unknown or revoked. Nothing will work until staff re-enroll it."""

    reason = "unauthorized"


class Refused(SyncError):
    """The server refused this content for good (409 conflict, 422 schema, 413, 415, 400).

    Retrying the same bytes cannot help; the item is held for staff, never dropped.
    """

    reason = "refused"

    @property
    def code(self) -> str:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), str):
            return self.body["error"]
        return f"http_{self.status}"


class MissingBlobs(SyncError):
    """422 missing_blobs: the server still lacks some pages; upload them and commit again."""

    reason = "missing_blobs"

    def __init__(self, missing: list[str], body: Any = None) -> None:
        super().__init__(f"server lacks {len(missing)} page(s)", status=422, body=body)
        self.missing = missing


class Stopped(SyncError):
    """The worker was asked to stop while waiting to retry."""

    reason = "stopped"
