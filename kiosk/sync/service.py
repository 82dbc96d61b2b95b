"""One sync cycle (:class:`SyncService`) and the background thread that repeats it.

Only one process syncs a kiosk home at a time (an ``fcntl`` lock on ``sync.lock``).
Whoever takes the lock first puts anything left in ``uploading`` back to ``finalized``:
with the lock held nobody else can be mid-upload, so such items were cut off by a crash.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared_schema import SchemaError
from shared_schema.api import SubmissionStatus

from ..store import meta
from ..store.evaluations import Evaluations
from ..store.feedback import FeedbackNotes
from ..store.handovers import Handovers
from ..store.home import KioskStore
from ..store.identity import NotEnrolled
from ..store.mailings import OriginalMailings
from ..store.outbox import Outbox
from ..store.purge import purge_if_due
from ..store.sealed_queue import REFUSED, NotAcknowledged, SealedQueue
from ..store.supplements import Supplements
from . import feed, feed_position, heartbeat, results
from .backoff import Backoff, retrying
from .catalog import CatalogCache
from .client import ApiClient
from .errors import Refused, Stopped, SyncError, TransientError
from .push import Pusher, PushReport
from .supplements import send_pending
from .throttle import TokenBucket

log = logging.getLogger(__name__)


@dataclass
class SyncSettings:
    request_tries: int = 4  # per request, with jittered waits in between
    retry_base: float = 0.5
    retry_cap: float = 30.0
    interval: float = 60.0  # between successful cycles
    cycle_base: float = 5.0  # backoff between failed cycles
    cycle_cap: float = 900.0
    bandwidth_bps: float | None = None  # upload cap, bytes per second
    batch: int = 20
    timeout: tuple[float, float] = (10.0, 60.0)


@dataclass
class SyncReport:
    started_at: datetime
    finished_at: datetime | None = None
    error: str | None = None
    pushed: PushReport = field(default_factory=PushReport)
    supplements_sent: int = 0
    handovers_sent: int = 0
    mailings_sent: int = 0
    evaluations_sent: int = 0
    feedback_sent: int = 0
    feed_changes: int = 0
    results_stored: int = 0
    catalog_updated: bool = False
    heartbeat: bool = False
    recovered: int = 0
    purged: bool = False

    feed_pulled: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def sent_something(self) -> bool:
        """Whether this sync sent anything the server answers with status events."""
        sent = (self.supplements_sent, self.handovers_sent, self.mailings_sent, self.evaluations_sent)
        return bool(self.pushed.acknowledged) or any(sent)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "error": self.error,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "pushed": self.pushed.to_dict(),
            "supplements_sent": self.supplements_sent,
            "handovers_sent": self.handovers_sent,
            "mailings_sent": self.mailings_sent,
            "evaluations_sent": self.evaluations_sent,
            "feedback_sent": self.feedback_sent,
            "feed_changes": self.feed_changes,
            "feed_pulled": self.feed_pulled,
            "results_stored": self.results_stored,
            "catalog_updated": self.catalog_updated,
            "heartbeat": self.heartbeat,
            "recovered": self.recovered,
            "purged": self.purged,
        }


class SyncBusy(SyncError):
    reason = "busy"


class SyncLock:
    """Exclusive, per kiosk home, released by the OS if the holder dies (kill -9)."""

    def __init__(self, home: Path) -> None:
        self.path = Path(home) / "sync.lock"
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class SyncService:
    def __init__(
        self, store: KioskStore, settings: SyncSettings | None = None, stop: threading.Event | None = None
    ) -> None:
        self.store = store
        self.settings = settings or SyncSettings()
        self.stop = stop or threading.Event()
        self.outbox = Outbox(store)
        self.supplements = Supplements(store)
        self.evaluations = Evaluations(store)
        self.handovers = Handovers(store)
        self.mailings = OriginalMailings(store)
        self.feedback = FeedbackNotes(store)
        self.catalog = CatalogCache(store.home)
        self.lock = SyncLock(store.home)
        self._bucket = TokenBucket(self.settings.bandwidth_bps) if self.settings.bandwidth_bps else None

    def _client(self) -> ApiClient:
        ident = self.store.identity()
        return ApiClient(ident.server_url, ident, timeout=self.settings.timeout, bucket=self._bucket)

    def _retry(self) -> dict[str, Any]:
        st = self.settings
        return {"tries": st.request_tries, "backoff": Backoff(st.retry_base, st.retry_cap), "stop": self.stop}

    def run_once(self, hold_lock: bool = False) -> SyncReport:
        """Push, send evaluations, pull the feed and catalog, send a heartbeat."""
        report = SyncReport(started_at=datetime.now(UTC))
        if not self.lock.acquire():
            report.error = "busy: another process is syncing this kiosk"
            return report
        try:
            report.recovered = self.outbox.recover_interrupted()
            self._cycle(report)
            self._purge(report)
        finally:
            if not hold_lock:
                self.lock.release()
        report.finished_at = datetime.now(UTC)
        self._remember(report)
        return report

    def _purge(self, report: SyncReport) -> None:
        """Personal data the kiosk no longer needs goes on schedule, online or offline."""
        try:
            report.purged = purge_if_due(self.store)
        except Exception as exc:  # reported like a sync failure: staff see it in the health view
            log.exception("scheduled purge failed")
            report.error = report.error or f"purge: {type(exc).__name__}: {exc}"

    def _cycle(self, report: SyncReport) -> None:
        try:
            client = self._client()
        except NotEnrolled as exc:
            report.error = str(exc)
            return
        beat_error: str | None = None
        try:
            report.pushed = Pusher(
                self.outbox, self.store.pages, client, batch=self.settings.batch, **self._retry()
            ).run()
            retry = lambda call: retrying(call, **self._retry())  # noqa: E731
            report.supplements_sent = send_pending(self.supplements, client, retry)
            # handovers before ratings: a rating at handling follows its handover
            report.handovers_sent = self._send(client, self.handovers, "/handovers")
            report.evaluations_sent = self._send(client, self.evaluations, "/evaluations")
            report.mailings_sent = self._send(client, self.mailings, "/original-mailings")
            report.feedback_sent = self._send(client, self.feedback, "/feedback")
            report.catalog_updated = retrying(lambda: self.catalog.refresh(client), **self._retry())
            # before the feed: its answer says whether the feed holds anything new
            beat_error = self._beat(client, report)
            if feed_position.worth_pulling(self.outbox, report.sent_something()):
                report.feed_changes = retrying(lambda: feed.pull(self.outbox, client), **self._retry())
                report.feed_pulled = True
            fetch = lambda: results.fetch_announced(self.store, client)  # noqa: E731
            report.results_stored = retrying(fetch, **self._retry())
        except Stopped:
            report.error = "stopped"
        except SyncError as exc:
            report.error = f"{exc.reason}: {exc}"
        except Exception as exc:  # a bug must not kill the worker thread; it is logged and reported
            log.exception("sync cycle failed")
            report.error = f"internal: {type(exc).__name__}: {exc}"
        try:
            if not report.heartbeat or report.error != beat_error:  # the fleet view sees the outcome
                self._beat(client, report)
        finally:
            client.close()

    def _beat(self, client: ApiClient, report: SyncReport) -> str | None:
        """Send a heartbeat with the error so far (best effort: the next sync sends another);
        returns that error."""
        try:
            if not self.stop.is_set():
                heartbeat.send(self.outbox, client, report.error, self._catalog_version())
                report.heartbeat = True
        except Exception as exc:
            log.info("heartbeat not sent: %s", exc)
            report.heartbeat = False
            feed_position.forget(self.outbox)  # no fresh position: ask for the feed
        return report.error

    def live_status(self, receipt_no: str) -> SubmissionStatus | None:
        """Ask the server now (a resident at the screen); None when offline or unknown."""
        try:
            client = self._client()
        except NotEnrolled:
            return None
        try:
            body = client.call("GET", f"/submissions/{receipt_no}/status").body
            return SubmissionStatus.parse(body, source="GET status")
        except (SyncError, SchemaError):
            return None
        finally:
            client.close()

    def _catalog_version(self) -> str | None:
        try:
            return self.catalog.version()
        except Exception:
            return None

    def _send(self, client: ApiClient, queue: SealedQueue[Any], path: str) -> int:
        """POST each pending body once (the server deduplicates by its uuid, so a retry is
        safe); a refusal is kept with its reason for staff, not sent again."""
        sent = 0
        for item in queue.pending():
            key = str(item.model_dump()[queue.key_name])
            body = item.model_dump(mode="json")  # as the model says: empty reasons left out
            try:
                answer = retrying(lambda b=body: client.call("POST", path, json_body=b), **self._retry())
            except Refused as exc:
                queue.record_error(key, f"{REFUSED} [{exc.code}] {exc}")
                continue
            try:
                queue.accept(key, answer.body)
            except NotAcknowledged as exc:  # kept queued: the next sync sends it again
                raise TransientError(f"POST {path}: {exc}") from None
            sent += 1
        return sent

    def _remember(self, report: SyncReport) -> None:
        with self.store.db.write() as s:
            meta.put(s, meta.LAST_ATTEMPT_AT, report.started_at.isoformat())
            meta.put(s, meta.LAST_ERROR, report.error)
            if report.ok:
                meta.put(
                    s, meta.LAST_SUCCESS_AT, report.finished_at.isoformat() if report.finished_at else None
                )
