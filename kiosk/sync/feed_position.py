"""Whether the status feed is worth asking for: the heartbeat's answer says where the
kiosk's feed stands on the server (``feed_next``), so an idle kiosk whose cursor is there
already skips the request (issue 16: two thirds of a fleet's requests were "nothing new").

A sync sends its heartbeat before it would read the feed, so the position is fresh and a
department's change still reaches the kiosk in the next sync. Anything the kiosk sent in
this sync makes it ask regardless. An older server sends no position and a failed
heartbeat forgets it: then the kiosk asks every sync, as before.
"""

from __future__ import annotations

from typing import Any

from ..store import meta
from ..store.outbox import Outbox
from .feed import cursor


def remember(outbox: Outbox, heartbeat_answer: Any) -> None:
    """Keep the position a heartbeat answered with (none from an older server)."""
    value = heartbeat_answer.get("feed_next") if isinstance(heartbeat_answer, dict) else None
    position = value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
    with outbox.db.write() as s:
        meta.put(s, meta.FEED_POSITION, None if position is None else str(position))


def forget(outbox: Outbox) -> None:
    remember(outbox, None)


def worth_pulling(outbox: Outbox, sent_something: bool) -> bool:
    """False only when the last heartbeat said the feed holds nothing past our cursor and
    this sync sent nothing that the server answers with events."""
    if sent_something:
        return True
    with outbox.db.read() as s:
        known = meta.get(s, meta.FEED_POSITION)
    return known is None or int(known) > cursor(outbox)
