"""The heartbeat: what the server's fleet view shows about this kiosk. The queue length
counts everything queued (:mod:`kiosk.store.backlog`); the oldest waiting item is the
oldest unsent submission or supplement, so the workspace's kiosk list flags a supplement
stuck on a dead link before its transfer deadline as it does a submission."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from shared_schema.api import Heartbeat

from ..store.backlog import read_backlog
from ..store.feedback_numbers import remember_prefix
from ..store.fsutil import free_bytes
from ..store.outbox import Outbox
from . import feed_position
from .client import ApiClient


def app_version() -> str:
    try:
        return metadata.version("tongban")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def heartbeat_body(outbox: Outbox, last_error: str | None, catalog_version: str | None) -> dict[str, Any]:
    backlog = read_backlog(outbox.store)  # submissions, supplements, handovers, ratings
    beat = Heartbeat(
        queue_length=backlog.waiting + backlog.sending,
        oldest_waiting_at=backlog.oldest_waiting_at,
        last_error=last_error[:500] if last_error else None,
        disk_free_bytes=free_bytes(outbox.store.home),
        app_version=app_version(),
        catalog_version=catalog_version,
    )
    return beat.to_json_dict()


def send(
    outbox: Outbox, client: ApiClient, last_error: str | None, catalog_version: str | None
) -> dict[str, Any]:
    """Send the heartbeat and keep the feed position and feedback prefix the server answers with."""
    body = heartbeat_body(outbox, last_error, catalog_version)
    answer = client.call("POST", "/heartbeat", json_body=body)
    feed_position.remember(outbox, answer.body)
    remember_prefix(outbox.store, answer.body)
    return body
