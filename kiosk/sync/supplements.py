"""Send queued supplements (补正): pages the server lacks, then the manifest, exactly once.

The server deduplicates on the supplement's client uuid, so a resend after a lost answer
gets the first signed acknowledgement back; a refusal (409 the case no longer waits,
422 …) is held for staff with its reason, never dropped and never sent again blindly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from shared_schema import SchemaError
from shared_schema.api import MissingBlobs as MissingBlobsAnswer
from shared_schema.supplement import SupplementAck, SupplementManifest

from ..store.pages import PageMissing
from ..store.sealed_queue import REFUSED
from ..store.supplements import Supplements
from .client import ApiClient
from .errors import MissingBlobs, Refused, TransientError
from .push import own_ack

log = logging.getLogger(__name__)
COMMIT_ROUNDS = 3
Retry = Callable[[Callable[[], Any]], Any]


def send_pending(queue: Supplements, client: ApiClient, retry: Retry) -> int:
    """Send every pending supplement; how many the server acknowledged."""
    sent = 0
    for manifest in queue.pending():
        try:
            ack = retry(lambda m=manifest: _send(queue, client, m))
        except Refused as exc:
            _hold(queue, manifest, f"{exc.status} {exc.code}: {exc}")
            continue
        except PageMissing as exc:  # the server lacks a page this kiosk no longer has
            _hold(queue, manifest, f"local_page_missing: {exc}")
            continue
        log.info("supplement %d of %s acknowledged", ack.supplement_no, ack.receipt_no)
        queue.sent(manifest)
        sent += 1
    return sent


def _hold(queue: Supplements, manifest: SupplementManifest, reason: str) -> None:
    log.error("supplement %s held for staff: %s", manifest.client_uuid, reason)
    queue.record_error(str(manifest.client_uuid), f"{REFUSED} {reason}")


def _send(queue: Supplements, client: ApiClient, manifest: SupplementManifest) -> SupplementAck:
    body: Any = client.call("POST", "/blobs/missing", json_body={"hashes": manifest.page_hashes()}).body
    try:
        missing = MissingBlobsAnswer.parse(body, source="POST /blobs/missing").missing
    except SchemaError as exc:
        raise TransientError(f"malformed /blobs/missing answer: {exc}") from None
    _upload(queue, client, manifest, missing)
    for _round in range(COMMIT_ROUNDS):
        try:
            answer = client.call("POST", "/supplements", json_body=manifest.to_json_dict()).body
        except MissingBlobs as exc:
            _upload(queue, client, manifest, exc.missing)
            continue
        return _check_ack(manifest, answer)
    raise TransientError(f"server still lacks pages after {COMMIT_ROUNDS} uploads")


def _upload(queue: Supplements, client: ApiClient, manifest: SupplementManifest, hashes: list[str]) -> None:
    types = {p.sha256: p.content_type for m in manifest.materials for p in m.pages}
    for sha in hashes:
        if sha not in types:
            raise TransientError("server asked for pages that are not in this supplement")
        client.call("PUT", f"/blobs/{sha}", data=queue.pages.get(sha), headers={"Content-Type": types[sha]})


def _check_ack(manifest: SupplementManifest, body: Any) -> SupplementAck:
    return own_ack(SupplementAck, manifest, body, "POST /supplements")
