"""Purge residents' personal data the kiosk no longer needs.

Once the server has acknowledged a submission the kiosk's copy is only a convenience.
After a configurable period the sealed manifest and page files are deleted; the row keeps
what staff need to answer "did my application arrive?": receipt number, state, hashes.
Abandoned drafts are dropped too, result PDFs a set time after their handover
(:func:`kiosk.store.results.purge_results`), and the plain PDFs the printer keeps in
``<home>/prints`` for a reprint once the day is over. SQLite's ``secure_delete`` zeroes
freed pages and a WAL checkpoint removes old copies from the log. The sync service runs
the purge on its own (:func:`purge_if_due`), online or not, so no kiosk depends on staff
remembering to.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..hardware.printer import PRINTS_FOLDER
from . import meta
from .home import KioskStore
from .models import OutboxItem, OutboxPage, utcnow
from .results import DEFAULT_AFTER_HANDOVER, purge_results
from .states import SERVER_STATES, OutboxState

DEFAULT_AFTER = timedelta(days=30)
DEFAULT_DRAFT_AFTER = timedelta(days=1)
#: Printed copies exist for a reprint during the visit (a jam, a second copy), not after.
DEFAULT_PRINTS_AFTER = timedelta(days=1)
#: How often the sync service purges by itself.
PURGE_EVERY = timedelta(hours=6)
#: A page written moments ago may belong to a draft whose row is being committed.
ORPHAN_GRACE_SECONDS = 3600


@dataclass
class PurgeReport:
    submissions: int = 0
    drafts: int = 0
    page_files: int = 0
    results: int = 0
    prints: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def purge(
    store: KioskStore,
    after: timedelta = DEFAULT_AFTER,
    drafts_after: timedelta = DEFAULT_DRAFT_AFTER,
    now: datetime | None = None,
    results_after: timedelta = DEFAULT_AFTER_HANDOVER,
    prints_after: timedelta = DEFAULT_PRINTS_AFTER,
) -> PurgeReport:
    now = now or utcnow()
    report = PurgeReport(results=purge_results(store, results_after, now))
    report.prints = _delete_old_prints(store, now - prints_after)
    with store.db.write() as s:
        due = s.scalars(
            select(OutboxItem).where(
                OutboxItem.state.in_([st.value for st in SERVER_STATES]),
                OutboxItem.purged_at.is_(None),
                OutboxItem.acknowledged_at <= now - after,
            )
        ).all()
        for row in due:
            store.manifests.delete(row.client_uuid)
            row.purged_at = now
            row.draft_enc = None
            report.submissions += 1
        stale = s.scalars(
            select(OutboxItem).where(
                OutboxItem.state == OutboxState.draft.value, OutboxItem.created_at <= now - drafts_after
            )
        ).all()
        for row in stale:
            s.delete(row)
            report.drafts += 1
        s.flush()
        live = set(
            s.scalars(
                select(OutboxPage.sha256)
                .join(OutboxItem, OutboxItem.client_uuid == OutboxPage.client_uuid)
                .where(OutboxItem.purged_at.is_(None))
            )
        )
        known = set(s.scalars(select(OutboxPage.sha256)))
    report.page_files = _delete_unused_pages(store, live, known)
    store.db.checkpoint()
    return report


def purge_if_due(store: KioskStore, every: timedelta = PURGE_EVERY, now: datetime | None = None) -> bool:
    """Purge with the defaults when the last purge is ``every`` or longer ago; True if it ran."""
    now = now or utcnow()
    with store.db.read() as s:
        last = meta.get(s, meta.LAST_PURGE_AT)
    if last is not None and datetime.fromisoformat(last) > now - every:
        return False
    purge(store, now=now)
    with store.db.write() as s:
        meta.put(s, meta.LAST_PURGE_AT, now.isoformat())
    return True


def _delete_old_prints(store: KioskStore, cutoff: datetime) -> int:
    """Printed copies (plain PDFs and text) written before ``cutoff``."""
    folder = store.home / PRINTS_FOLDER
    if not folder.is_dir():
        return 0
    deleted = 0
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def _delete_unused_pages(store: KioskStore, live: set[str], known: set[str]) -> int:
    """Delete pages no unpurged item uses: those of purged items at once, unreferenced
    ones (removed from or abandoned with a draft) once they are older than the grace time."""
    deleted = 0
    cutoff = time.time() - ORPHAN_GRACE_SECONDS
    for sha in store.pages.all_hashes() - live:
        if sha not in known:
            try:
                if store.pages.path(sha).stat().st_mtime > cutoff:
                    continue
            except FileNotFoundError:
                continue
        deleted += store.pages.delete(sha)
    return deleted
