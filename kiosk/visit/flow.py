"""The visit state machine: which step is showing, moves between steps, idle wipe.

Screens call :meth:`VisitFlow.go`, :meth:`back` and :meth:`home`; the app listens and
switches screens. A move that the flow does not allow raises, so a stray tap can never
skip the check or the promise.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from .steps import AFTER_FINALIZE, FORWARD, Step, previous
from .visit import Visit

log = logging.getLogger(__name__)

Listener = Callable[[Step, Step], None]


class StepNotAllowed(RuntimeError):
    """A screen asked for a move the visit does not allow (a bug, never a resident's fault)."""


class VisitFlow:
    """Holds the current step and the current visit; forgets the visit when abandoned."""

    def __init__(
        self,
        drafts_root: Path,
        idle_timeout_s: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.drafts_root = Path(drafts_root)
        self.idle_timeout_s = idle_timeout_s
        self._clock = clock
        self._listeners: list[Listener] = []
        self.step = Step.home
        self.visit = Visit(self.drafts_root)
        self.assist_return: Step | None = None
        self._last_activity = clock()
        self._purge_leftovers()

    def _purge_leftovers(self) -> None:
        """Drafts left by a crash or power cut belong to nobody now: delete them."""
        if self.drafts_root.exists():
            for child in self.drafts_root.iterdir():
                if child.is_dir():
                    Visit(self.drafts_root, visit_id=child.name).wipe()

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def touch(self) -> None:
        """The resident did something: restart the idle countdown."""
        self._last_activity = self._clock()

    def idle_for(self) -> float:
        return self._clock() - self._last_activity

    def _move(self, target: Step) -> None:
        before, self.step = self.step, target
        self.touch()
        for listener in list(self._listeners):
            listener(before, target)

    def go(self, target: Step) -> None:
        if target not in FORWARD.get(self.step, set()):
            raise StepNotAllowed(f"{self.step} -> {target}")
        if target in AFTER_FINALIZE and not self.visit.finalized:
            raise StepNotAllowed(f"{target} before the submission is finalized")
        if self.step is Step.assist:
            self.assist_return = None
        if target is Step.assist:
            self.assist_return = self.step
        self._move(target)

    def back(self) -> None:
        target = previous(self.step)
        if self.step is Step.assist and self.assist_return is not None:
            target, self.assist_return = self.assist_return, None
        if target is Step.home:
            self.home()
        else:
            self._move(target)

    def home(self) -> None:
        """Back to the start, forgetting the visit (finalized ones live on in the outbox)."""
        self.new_visit()
        self.assist_return = None
        self._move(Step.home)

    def new_visit(self) -> None:
        """Drafts go either way: a finalized visit's pages already live in the outbox."""
        self.visit.wipe()
        self.visit = Visit(self.drafts_root)

    def check_idle(self) -> bool:
        """Called every second by the app; returns True when it wiped and went home."""
        if self.step is Step.home or self.idle_for() < self.idle_timeout_s:
            return False
        if self.step is Step.assist:
            return False  # staff at the screen; assist mode has its own logout
        log.info("idle timeout at step %s: visit wiped", self.step)
        self.home()
        return True
