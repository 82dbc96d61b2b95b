"""This kiosk's feedback numbers (意见编号): its server-given prefix and its own counter.

The prefix comes with every heartbeat answer (kept in ``kiosk_meta``; a kiosk's first sync
brings it together with the catalog, before any resident can leave a note). The counter
is bumped and committed before the number is used: a note that then fails to queue leaves
a gap, never a number used twice (:mod:`shared_schema.feedback_no`).
"""

from __future__ import annotations

from typing import Any

from shared_schema.feedback_no import MAX_KIOSK, make

from . import meta
from .home import KioskStore

FEEDBACK_PREFIX = "feedback_prefix"
FEEDBACK_SEQ = "feedback_seq"


class NoFeedbackPrefix(Exception):
    """The server has not told this kiosk its feedback prefix yet (it has never synced)."""


def remember_prefix(store: KioskStore, heartbeat_answer: Any) -> None:
    """Keep the prefix a heartbeat answered with (an older server sends none: keep ours)."""
    value = heartbeat_answer.get("feedback_prefix") if isinstance(heartbeat_answer, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_KIOSK:
        with store.db.write() as s:
            meta.put(s, FEEDBACK_PREFIX, str(value))


def next_number(store: KioskStore) -> str:
    """A new feedback number; raises NoFeedbackPrefix, or OutOfNumbers past the counter's end."""
    with store.db.write() as s:
        prefix = meta.get(s, FEEDBACK_PREFIX)
        if prefix is None:
            raise NoFeedbackPrefix("no feedback prefix yet: the kiosk has not synced with the server")
        seq = int(meta.get(s, FEEDBACK_SEQ) or 0) + 1
        meta.put(s, FEEDBACK_SEQ, str(seq))
        number = make(int(prefix), seq)  # OutOfNumbers: rolled back, the counter stays at its end
    return number
