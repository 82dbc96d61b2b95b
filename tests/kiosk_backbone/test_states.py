"""The outbox state machine: legal moves work and are recorded, illegal ones raise."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.store import IllegalTransition, Outbox, OutboxState
from kiosk.store.models import OutboxItem, OutboxTransition
from kiosk.store.states import TRANSITIONS
from shared_schema import SubmissionState

from .conftest import finalize_one

S = OutboxState
LEGAL = [(a, b) for a, targets in TRANSITIONS.items() for b in targets]
ILLEGAL = [
    (S.draft, S.uploading),
    (S.draft, S.acknowledged),
    (S.finalized, S.routed),
    (S.finalized, S.draft),
    (S.uploading, S.draft),
    (S.acknowledged, S.finalized),
    (S.acknowledged, S.uploading),
    (S.routed, S.acknowledged),
    (S.completed, S.accepted),
    (S.archived, S.routed),
    (S.failed, S.acknowledged),
    (S.rejected, S.accepted),
]


def test_every_shared_state_is_an_outbox_state() -> None:
    assert {s.value for s in SubmissionState} <= {s.value for s in OutboxState}
    assert set(TRANSITIONS) == set(OutboxState)


def _force(outbox: Outbox, uuid: str, state: OutboxState) -> None:
    with outbox.db.write() as s:
        s.get(OutboxItem, uuid).state = state.value


@pytest.mark.parametrize(("current", "target"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_legal_transition(outbox: Outbox, current: OutboxState, target: OutboxState) -> None:
    uuid = finalize_one(outbox.store, seed=1, pages=1)
    _force(outbox, uuid, current)
    with outbox.db.write() as s:
        assert Outbox.move(s, s.get(OutboxItem, uuid), target, "test") is True
    assert outbox.get(uuid).state is target
    with outbox.db.read() as s:
        last = s.scalars(select(OutboxTransition).order_by(OutboxTransition.id.desc()).limit(1)).one()
    assert (last.from_state, last.to_state, last.reason) == (current.value, target.value, "test")


@pytest.mark.parametrize(("current", "target"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_illegal_transition_raises_and_changes_nothing(
    outbox: Outbox, current: OutboxState, target: OutboxState
) -> None:
    uuid = finalize_one(outbox.store, seed=2, pages=1)
    _force(outbox, uuid, current)
    with pytest.raises(IllegalTransition), outbox.db.write() as s:
        Outbox.move(s, s.get(OutboxItem, uuid), target)
    assert outbox.get(uuid).state is current


def test_same_state_is_a_no_op(outbox: Outbox) -> None:
    uuid = finalize_one(outbox.store, seed=3, pages=1)
    with outbox.db.write() as s:
        assert Outbox.move(s, s.get(OutboxItem, uuid), S.finalized) is False


def test_push_path_and_server_states(outbox: Outbox) -> None:
    uuid = finalize_one(outbox.store, seed=4, pages=1)
    assert outbox.begin_upload(uuid)
    assert not outbox.begin_upload(uuid)  # already uploading: nobody else may take it
    outbox.acknowledge(uuid, {"state": "routed", "department_code": "140502-RS", "received_at": "x"})
    entry = outbox.get(uuid)
    assert entry.state is S.routed and entry.department_code == "140502-RS"
    with outbox.db.write() as s:  # a stale "acknowledged" event from the feed changes nothing
        assert outbox.advance(s, s.get(OutboxItem, uuid), "acknowledged", "feed") is False
        assert outbox.advance(s, s.get(OutboxItem, uuid), "accepted", "feed") is True
    assert outbox.get(uuid).state is S.accepted


def test_feed_can_acknowledge_an_item_still_waiting(outbox: Outbox) -> None:
    """A sneakernet import: the kiosk never saw an answer, the feed says it arrived."""
    uuid = finalize_one(outbox.store, seed=5, pages=1)
    with outbox.db.write() as s:
        assert outbox.advance(s, s.get(OutboxItem, uuid), "routed", "feed") is True
    with outbox.db.read() as s:
        path = [
            t.to_state
            for t in s.scalars(select(OutboxTransition).where(OutboxTransition.client_uuid == uuid))
        ]
    assert path[-2:] == ["acknowledged", "routed"]


def test_failed_is_held_until_staff_requeue(outbox: Outbox) -> None:
    uuid = finalize_one(outbox.store, seed=6, pages=1)
    outbox.begin_upload(uuid)
    outbox.fail(uuid, "409 conflict: different content")
    assert outbox.waiting_uuids() == []
    entry = outbox.get(uuid)
    assert entry.state is S.failed and "conflict" in entry.failure_reason
    outbox.requeue(uuid)
    assert outbox.waiting_uuids() == [uuid]
