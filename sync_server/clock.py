"""The server's "now" for clocks that run over days (整改 deadlines, escalations).

``CLOCK`` in the app config, when set, is a callable returning an aware datetime: a
drill or a test moves the whole server to a given day (e.g. across the Spring Festival)
without touching the machine's time. Unset, it is the real UTC time.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context

from .db import utcnow


def now() -> datetime:
    if has_app_context():
        clock = current_app.config.get("CLOCK")
        if clock is not None:
            moment = clock()
            if moment.tzinfo is None:
                raise ValueError("CLOCK returned a naive datetime")
            return moment
    return utcnow()
