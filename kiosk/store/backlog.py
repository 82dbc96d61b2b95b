"""Everything the kiosk still has to send, in one read: what the header's 待发送 counts, the
assist panel lists and the heartbeat reports.

Submissions are not the only items that wait: supplements (补正), handovers (送达),
originals' mailings (原件寄送), ratings and residents' 意见建议 queue too, and a resident's
supplement waiting on a dead link breaks the same transfer promise (附录 A) as a submission,
so its age counts for the deadline warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .evaluations import Evaluations
from .feedback import FeedbackNotes
from .handovers import Handovers
from .home import KioskStore
from .mailings import OriginalMailings
from .outbox import Outbox
from .sealed_queue import Backlog
from .states import OutboxState
from .supplements import Supplements


@dataclass(frozen=True)
class KioskBacklog:
    submissions: int  # finalized, not sent yet
    sending: int  # submissions being sent now
    failed: int  # submissions the server refused (held for staff)
    supplements: Backlog
    handovers: Backlog
    mailings: Backlog
    evaluations: Backlog
    feedback: Backlog
    oldest_waiting_at: datetime | None  # the oldest unsent submission or supplement

    @property
    def waiting(self) -> int:
        """Every item waiting to be sent, submissions being sent excluded."""
        return self.submissions + sum(q.waiting for q in self._queues)

    @property
    def refused(self) -> int:
        """Every item the server refused: held for staff, never sent again by itself."""
        return self.failed + sum(q.refused for q in self._queues)

    @property
    def _queues(self) -> tuple[Backlog, ...]:
        return (self.supplements, self.handovers, self.mailings, self.evaluations, self.feedback)


def read_backlog(store: KioskStore) -> KioskBacklog:
    """The backlog now (a few small database reads: never on the UI thread)."""
    outbox = Outbox(store)
    counts = outbox.counts()
    supplements = Supplements(store).backlog()
    oldest = [t for t in (outbox.oldest_waiting_at(), supplements.oldest_waiting_at) if t is not None]
    return KioskBacklog(
        submissions=counts.get(OutboxState.finalized.value, 0),
        sending=counts.get(OutboxState.uploading.value, 0),
        failed=counts.get(OutboxState.failed.value, 0),
        supplements=supplements,
        handovers=Handovers(store).backlog(),
        mailings=OriginalMailings(store).backlog(),
        evaluations=Evaluations(store).backlog(),
        feedback=FeedbackNotes(store).backlog(),
        oldest_waiting_at=min(oldest, default=None),
    )
