"""Pull the per-kiosk status feed and apply it to the outbox.

Each page of events is applied in one transaction together with the new cursor, so an
interruption anywhere either applies a page completely or not at all: no event is lost
and none is applied twice.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from shared_schema import SchemaError, StatusEvent
from shared_schema.api import StatusFeed

from ..store import meta, results, supplements
from ..store.models import OutboxItem, StatusFeedEvent
from ..store.outbox import Outbox
from .client import ApiClient
from .errors import TransientError

PAGE = 500


def cursor(outbox: Outbox) -> int:
    with outbox.db.read() as s:
        return int(meta.get(s, meta.FEED_CURSOR, "0") or 0)


def apply_events(outbox: Outbox, events: list[StatusEvent], next_cursor: int) -> int:
    """Store and apply ``events``; returns how many changed a local submission."""
    changed = 0
    with outbox.db.write() as s:
        for event in events:
            if s.get(StatusFeedEvent, event.seq) is not None:
                continue
            row = s.get(OutboxItem, str(event.client_uuid))
            applied = False
            if row is not None:
                applied = outbox.advance(s, row, event.state.value, f"status feed #{event.seq}")
                row.last_message = supplements.public_message(event) or row.last_message
                department = event.detail.get("department_code")
                if isinstance(department, str):
                    row.department_code = department
            results.note_event(s, event)  # a result for pickup here: fetched after the page
            supplements.note_event(s, outbox.store, event)  # a correction notice, kept sealed
            s.add(
                StatusFeedEvent(
                    seq=event.seq,
                    client_uuid=str(event.client_uuid),
                    receipt_no=event.receipt_no,
                    state=event.state.value,
                    at=event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC),
                    message=supplements.public_message(event),
                    detail=supplements.public_detail(event),
                    applied=applied,
                )
            )
            changed += applied
        current = int(meta.get(s, meta.FEED_CURSOR, "0") or 0)
        meta.put(s, meta.FEED_CURSOR, str(max(current, next_cursor)))
    return changed


def pull(outbox: Outbox, client: ApiClient, limit: int = PAGE) -> int:
    """Read the feed to its end; returns the number of local submissions that changed."""
    changed = 0
    while True:
        after = cursor(outbox)
        body: Any = client.call("GET", "/status-feed", params={"after": after, "limit": limit}).body
        try:
            page = StatusFeed.parse(body, source="GET /status-feed")
        except SchemaError as exc:
            raise TransientError(f"malformed status feed page: {exc}") from None
        events, nxt = page.events, page.next
        if not events:
            if nxt > after:
                apply_events(outbox, [], nxt)
            return changed
        changed += apply_events(outbox, events, max(nxt, max(e.seq for e in events)))
