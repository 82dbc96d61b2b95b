"""Small named values the sync client keeps between runs (feed cursor, last error …)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .models import Meta

FEED_CURSOR = "feed_cursor"
FEED_POSITION = "feed_position"  # the server's, from the last heartbeat (sync/feed_position)
LAST_ERROR = "last_error"
LAST_ATTEMPT_AT = "last_attempt_at"
LAST_SUCCESS_AT = "last_success_at"
EXPORTED_BUNDLES = "exported_bundles"
LAST_PURGE_AT = "last_purge_at"


def get(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(Meta, key)
    return row.value if row else default


def put(session: Session, key: str, value: str | None) -> None:
    row = session.get(Meta, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value
