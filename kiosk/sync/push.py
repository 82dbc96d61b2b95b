"""Push finalized submissions: ask which pages are missing, upload those, commit.

Every step is safe to repeat: blobs are named by hash, commits by client UUID. An upload
cut off anywhere resumes cheaply: pages that arrived are skipped via /blobs/missing. A
commit refused because the server holds its receipt number for another submission is
renumbered and sent again (``kiosk.store.renumber``), never dropped.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, TypeVar

from shared_schema import SchemaError, SubmissionManifest
from shared_schema.api import MissingBlobs as MissingBlobsAnswer
from shared_schema.api import SubmissionAck
from shared_schema.supplement import SupplementAck

from ..store.outbox import Outbox
from ..store.pages import PageMissing, PageStore
from ..store.renumber import renumber
from .backoff import Backoff, retrying
from .client import ApiClient
from .errors import MissingBlobs, Refused, Stopped, TransientError

A = TypeVar("A", SubmissionAck, SupplementAck)

log = logging.getLogger(__name__)
COMMIT_ROUNDS = 3
RENUMBER_ROUNDS = 3


@dataclass
class PushReport:
    acknowledged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    blobs_uploaded: int = 0
    blob_bytes: int = 0
    blobs_skipped: int = 0
    renumbered: dict[str, str] = field(default_factory=dict)  # client UUID → its new receipt number

    def to_dict(self) -> dict[str, Any]:
        return {
            "acknowledged": len(self.acknowledged),
            "failed": dict(self.failed),
            "blobs_uploaded": self.blobs_uploaded,
            "blob_bytes": self.blob_bytes,
            "blobs_skipped": self.blobs_skipped,
            "renumbered": dict(self.renumbered),
        }


class Pusher:
    def __init__(
        self,
        outbox: Outbox,
        pages: PageStore,
        client: ApiClient,
        *,
        tries: int,
        backoff: Backoff,
        stop: threading.Event,
        batch: int = 20,
    ) -> None:
        self.outbox, self.pages, self.client = outbox, pages, client
        self.tries, self.backoff, self.stop, self.batch = tries, backoff, stop, batch

    def _call(self, method: str, path: str, **kw: Any) -> Any:
        return retrying(
            lambda: self.client.call(method, path, **kw),
            tries=self.tries,
            backoff=self.backoff,
            stop=self.stop,
        ).body

    def run(self, limit: int | None = None) -> PushReport:
        report = PushReport()
        uuids = self.outbox.waiting_uuids(limit or 100_000)
        for start in range(0, len(uuids), self.batch):
            manifests: dict[str, SubmissionManifest] = {}
            for uuid in uuids[start : start + self.batch]:
                try:
                    manifests[uuid] = self.outbox.manifest(uuid)
                except Exception as exc:  # damaged sealed file: hold it for staff
                    self._fail(uuid, f"local_manifest_unreadable: {exc}", report)
            wanted = sorted({h for m in manifests.values() for h in m.page_hashes()})
            missing = self._missing(wanted) if wanted else set()
            report.blobs_skipped += len(wanted) - len(missing)
            for uuid, manifest in manifests.items():
                if self.stop.is_set():
                    raise Stopped("stop requested")
                self._push_one(uuid, manifest, missing, report)
        return report

    def _missing(self, hashes: list[str]) -> set[str]:
        body = self._call("POST", "/blobs/missing", json_body={"hashes": hashes})
        try:
            missing = MissingBlobsAnswer.parse(body, source="POST /blobs/missing").missing
        except SchemaError as exc:
            raise TransientError(f"malformed /blobs/missing answer: {exc}") from None
        return set(missing) & set(hashes)

    def _push_one(
        self, uuid: str, manifest: SubmissionManifest, missing: set[str], report: PushReport
    ) -> None:
        if not self.outbox.begin_upload(uuid):
            return  # no longer waiting (the status feed said it arrived)
        mine = manifest.page_hashes()
        try:
            self._upload(manifest, [h for h in mine if h in missing], missing, report)
            answer = self._commit_own_number(uuid, manifest, missing, report)
        except Refused as exc:
            self._fail(uuid, f"{exc.status} {exc.code}: {exc}", report)
        except PageMissing as exc:
            self._fail(uuid, f"local_page_missing: {exc}", report)
        except BaseException as exc:  # transient, unauthorized, stop, crash: back to the queue
            self.outbox.upload_interrupted(uuid, f"{type(exc).__name__}: {exc}")
            raise
        else:
            self.outbox.acknowledge(uuid, answer)
            report.acknowledged.append(uuid)

    def _commit_own_number(
        self, uuid: str, manifest: SubmissionManifest, missing: set[str], report: PushReport
    ) -> dict[str, Any]:
        """Commit; when the server holds this receipt number for another submission, take a
        fresh number past the server's (``kiosk.store.renumber``) and commit again."""
        for _round in range(RENUMBER_ROUNDS):
            try:
                return self._commit(manifest, missing, report)
            except Refused as exc:
                if exc.code != "receipt_conflict":
                    raise
                manifest = renumber(self.outbox.store, uuid, _server_last_seq(exc))
                report.renumbered[uuid] = manifest.receipt_no
        return self._commit(manifest, missing, report)  # a further conflict holds it for staff

    def _commit(self, manifest: SubmissionManifest, missing: set[str], report: PushReport) -> dict[str, Any]:
        mine = set(manifest.page_hashes())
        for _round in range(COMMIT_ROUNDS):
            try:
                body = self._call("POST", "/submissions", json_body=manifest.to_json_dict())
            except MissingBlobs as exc:
                if not set(exc.missing) <= mine:
                    raise TransientError("server asked for pages that are not in this submission") from None
                self._upload(manifest, exc.missing, missing, report)
                continue
            return self._check_ack(manifest, body)
        raise TransientError(f"server still lacks pages after {COMMIT_ROUNDS} uploads")

    @staticmethod
    def _check_ack(manifest: SubmissionManifest, body: Any) -> dict[str, Any]:
        return own_ack(SubmissionAck, manifest, body, "POST /submissions").to_json_dict()

    def _upload(
        self, manifest: SubmissionManifest, hashes: list[str], missing: set[str], report: PushReport
    ) -> None:
        types = {p.sha256: p.content_type for m in manifest.materials for p in m.pages}
        for sha in hashes:
            data = self.pages.get(sha)  # decrypted and verified against its hash
            try:
                self._call("PUT", f"/blobs/{sha}", data=data, headers={"Content-Type": types[sha]})
            except Refused as exc:
                if exc.code != "hash_mismatch":
                    raise
                # our copy matched its hash a moment ago: the bytes were damaged in transit
                raise TransientError(f"blob {sha} arrived damaged") from None
            missing.discard(sha)
            report.blobs_uploaded += 1
            report.blob_bytes += len(data)

    def _fail(self, uuid: str, reason: str, report: PushReport) -> None:
        log.error("submission %s held for staff: %s", uuid, reason)
        try:
            self.outbox.fail(uuid, reason)
        except Exception:  # not in uploading (unreadable manifest): mark via begin_upload
            if self.outbox.begin_upload(uuid):
                self.outbox.fail(uuid, reason)
        report.failed[uuid] = reason


def _server_last_seq(exc: Refused) -> int:
    """The highest sequence the server holds for the conflicting number's kiosk and day."""
    details = exc.body.get("details") if isinstance(exc.body, dict) else None
    value = details.get("last_seq") if isinstance(details, dict) else None
    return value if isinstance(value, int) and value >= 0 else 0


def own_ack(model: type[A], sent: Any, body: Any, source: str) -> A:
    """A signed answer must also be well-formed and acknowledge *this* item: the same client
    uuid and receipt number as ``sent`` (a submission or a supplement manifest)."""
    try:
        ack = model.parse(body, source=source)
    except SchemaError as exc:
        raise TransientError(f"malformed acknowledgement: {exc}") from None
    if ack.client_uuid != sent.client_uuid or ack.receipt_no != sent.receipt_no:
        raise TransientError(f"acknowledgement names another item than the one sent ({source})")
    return ack
