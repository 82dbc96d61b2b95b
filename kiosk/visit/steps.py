"""The visit's steps and the only moves allowed between them.

A resident can always go Back or Home; Home (or the idle timeout) abandons an
unfinished visit. Once the submission is finalized the visit cannot be edited again,
so Back from the receipt and rating steps no longer reaches the promise.
"""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    home = "home"
    guide = "guide"
    identity = "identity"
    materials = "materials"
    check = "check"
    promise = "promise"
    receipt = "receipt"
    rating = "rating"
    status_pickup = "status_pickup"
    supplement = "supplement"
    assist = "assist"
    feedback = "feedback"


VISIT_ORDER: list[Step] = [
    Step.home,
    Step.guide,
    Step.identity,
    Step.materials,
    Step.check,
    Step.promise,
    Step.receipt,
    Step.rating,
]

# Which step may follow which (besides Back and Home, always allowed).
FORWARD: dict[Step, set[Step]] = {
    Step.home: {Step.guide, Step.status_pickup, Step.assist},
    Step.guide: {Step.identity, Step.feedback},
    Step.identity: {Step.materials},
    Step.materials: {Step.check},
    Step.check: {Step.materials, Step.promise},
    Step.promise: {Step.receipt},
    Step.receipt: {Step.rating},
    Step.rating: {Step.home, Step.feedback},
    Step.status_pickup: {Step.assist, Step.supplement},
    Step.supplement: {Step.home},
    Step.feedback: {Step.guide, Step.rating},  # 意见建议 returns where it was opened
    Step.assist: set(VISIT_ORDER) | {Step.status_pickup},
}

# Staff can step in from anywhere (assist mode) and return to where the resident was.
for _targets in FORWARD.values():
    _targets.add(Step.assist)
FORWARD[Step.assist].discard(Step.assist)

AFTER_FINALIZE = {Step.receipt, Step.rating}

# Side screens opened from another one: Back returns there (补交材料 from the progress screen).
OPENED_FROM: dict[Step, Step] = {Step.supplement: Step.status_pickup}


def previous(step: Step) -> Step:
    """Where Back leads: the previous visit step, the screen a side screen was opened from,
    or Home for other side screens and the end."""
    if step in OPENED_FROM:
        return OPENED_FROM[step]
    if step in AFTER_FINALIZE or step not in VISIT_ORDER:
        return Step.home
    index = VISIT_ORDER.index(step)
    return VISIT_ORDER[max(index - 1, 0)]
