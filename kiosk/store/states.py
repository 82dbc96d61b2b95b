"""The outbox state machine: which moves are legal, and nothing else.

The kiosk owns ``draft → finalized → uploading → acknowledged``; after that the server's
status feed drives the item (``routed``, ``accepted`` …, :class:`SubmissionState`).
``failed`` is local only: the server refused the content (409 conflict, 422 schema) and
staff must look at it; it is never retried blindly and never deleted.
"""

from __future__ import annotations

from enum import StrEnum

from shared_schema import SubmissionState

#: The shared life of a submission (one definition, in shared_schema) plus ``failed``:
#: local only, the server refused the content and staff must look at it.
OutboxState = StrEnum(
    "OutboxState",
    {**{state.name: state.value for state in SubmissionState}, "failed": "failed"},
    module=__name__,
)


S = OutboxState

#: States in which the local copy is the only copy: never purge, always push.
WAITING = frozenset({S.finalized, S.uploading})
#: States the server reports; the item has been delivered.
SERVER_STATES = frozenset(
    {
        S.acknowledged,
        S.routed,
        S.accepted,
        S.correction_requested,
        S.rejected,
        S.special_stage,
        S.completed,
        S.delivered,
        S.archived,
    }
)
_AFTER_ACK = SERVER_STATES - {S.acknowledged}

TRANSITIONS: dict[OutboxState, frozenset[OutboxState]] = {
    S.draft: frozenset({S.finalized}),
    S.finalized: frozenset({S.uploading, S.acknowledged}),  # acknowledged: learnt from the feed
    S.uploading: frozenset({S.finalized, S.acknowledged, S.failed}),
    S.failed: frozenset({S.finalized}),  # only by an explicit staff requeue
    S.acknowledged: _AFTER_ACK,
    S.routed: frozenset({S.accepted, S.correction_requested, S.rejected, S.special_stage, S.completed}),
    S.correction_requested: frozenset({S.routed, S.accepted, S.rejected, S.completed}),
    S.accepted: frozenset({S.special_stage, S.correction_requested, S.completed, S.rejected}),
    S.special_stage: frozenset({S.accepted, S.completed, S.rejected}),
    S.completed: frozenset({S.delivered, S.archived}),
    S.delivered: frozenset({S.archived}),
    S.rejected: frozenset({S.archived}),
    S.archived: frozenset(),
}


class IllegalTransition(Exception):
    """A move the state machine does not allow; the item is left as it was."""

    def __init__(self, client_uuid: str, current: str, target: str) -> None:
        self.current, self.target = current, target
        super().__init__(f"submission {client_uuid}: illegal transition {current} -> {target}")


def check_transition(client_uuid: str, current: str, target: str) -> None:
    try:
        allowed = TRANSITIONS[OutboxState(current)]
        wanted = OutboxState(target)
    except ValueError:
        raise IllegalTransition(client_uuid, current, target) from None
    if wanted not in allowed:
        raise IllegalTransition(client_uuid, current, target)


def as_submission_state(state: OutboxState) -> SubmissionState | None:
    """The shared vocabulary's name for a local state (None for the local-only ``failed``)."""
    try:
        return SubmissionState(state.value)
    except ValueError:
        return None
