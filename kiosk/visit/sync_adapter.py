"""The real background sync worker (``kiosk/sync``) as the UI sees it.

``online`` and ``last_sync`` read the worker's in-memory state (no I/O on the UI
thread); ``live_status`` asks the server and is called from a worker thread only.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from kiosk.store import KioskStore, meta
from kiosk.sync.client import ApiClient
from kiosk.sync.errors import SyncError
from kiosk.sync.worker import SyncWorker

from .backbone import state_words
from .ports import LocalStatus


class WorkerSync:
    def __init__(self, worker: SyncWorker, store: KioskStore) -> None:
        self.worker = worker
        self.store = store

    def online(self) -> bool:
        return self.worker.state().online

    def last_sync(self) -> datetime | None:
        state = self.worker.state()
        if state.last_success_at:
            return state.last_success_at
        with self.store.db.read() as s:
            value = meta.get(s, meta.LAST_SUCCESS_AT)
        return datetime.fromisoformat(value) if value else None

    def force(self) -> None:
        self.worker.trigger()

    def live_status(self, receipt_no: str) -> LocalStatus | None:
        try:
            identity = self.store.identity()
            client = ApiClient(identity.server_url, identity, timeout=(3.0, 10.0))
            try:
                answer = client.call("GET", f"/submissions/{quote(receipt_no, safe='')}/status")
            finally:
                client.close()
        except SyncError:
            return None
        body = answer.body if isinstance(answer.body, dict) else {}
        events = body.get("events") or []
        message = events[-1].get("message") if events and isinstance(events[-1], dict) else None
        state = str(body.get("state", ""))
        return LocalStatus(receipt_no=receipt_no, state=state, message=message or state_words(state))
