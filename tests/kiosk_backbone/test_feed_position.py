"""The kiosk asks for its status feed only when the last heartbeat said something is new
(issue 16), or when it sent something this sync; an older server's heartbeat answer
without a position, or a failed heartbeat, keeps the old behaviour (ask every sync)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from kiosk.store import meta
from kiosk.store.outbox import Outbox
from kiosk.sync import feed, feed_position
from kiosk.sync.service import SyncService
from shared_schema import SubmissionState as S
from sync_server.db import get_db
from sync_server.events import record_event
from sync_server.models import Submission
from tests.support.live_server import LiveServer

from .conftest import finalize_one


def _feed_position(service: SyncService) -> str | None:
    with service.store.db.read() as s:
        return meta.get(s, meta.FEED_POSITION)


def test_an_idle_kiosk_skips_the_feed_until_something_is_new(
    service: SyncService, server: LiveServer
) -> None:
    first = service.run_once()
    assert first.ok and first.heartbeat and not first.feed_pulled  # a new kiosk's feed is empty
    assert _feed_position(service) == "0"

    uuid = finalize_one(service.store, seed=301, pages=1)
    sent = service.run_once()
    assert sent.pushed.acknowledged == [uuid] and sent.feed_pulled  # sent something: ask at once
    outbox = Outbox(service.store)
    at = feed.cursor(outbox)
    assert at > 0 and _feed_position(service) == str(at)
    assert not service.run_once().feed_pulled  # idle: the heartbeat said nothing past our cursor

    with get_db(server.in_app()).transaction(write=True) as session:  # the department acts
        row = session.scalars(select(Submission).where(Submission.client_uuid == UUID(uuid))).one()
        record_event(session, row, S.accepted, actor="rev_a")
    caught_up = service.run_once()  # the heartbeat (sent before the feed) announces it
    assert caught_up.feed_pulled and caught_up.feed_changes == 1
    assert feed.cursor(outbox) == int(_feed_position(service)) > at


def test_no_position_from_an_older_server_means_asking_every_time(service: SyncService) -> None:
    outbox = Outbox(service.store)
    feed_position.remember(outbox, {"kiosk_id": "K", "received_at": "2026-12-02T00:00:00Z"})
    assert _feed_position(service) is None and feed_position.worth_pulling(outbox, False)
    feed_position.remember(outbox, {"feed_next": feed.cursor(outbox)})
    assert not feed_position.worth_pulling(outbox, False) and feed_position.worth_pulling(outbox, True)
    feed_position.remember(outbox, {"feed_next": "7"})  # not a number: not trusted
    assert feed_position.worth_pulling(outbox, False)
