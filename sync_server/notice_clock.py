"""The 受理/补正告知 clock of a case, kept on its row as its events are written.

The clock starts when the department receives the materials: the transfer, and again at
each supplement (补正材料: 行政许可法 第三十二条 counts from the complete materials). It
stops at the department's first answer after that start: accept, 补正 or 不予受理.
``events.add_event`` calls :func:`stamp` for every event, so the dashboard reads two
columns instead of deriving each case's first answer from its events; migration
``c9e4b7a1d2f3`` filled them for the cases stored before.
"""

from __future__ import annotations

from datetime import datetime

from shared_schema import SubmissionState as S
from shared_schema.supplement import SUPPLEMENT_ACTION

from .models import Submission

ANSWERS = frozenset({S.accepted, S.correction_requested, S.rejected})


def stamp(submission: Submission, state: S, action: str, at: datetime) -> None:
    """Start, restart or stop the clock for an event moving ``submission`` to ``state``."""
    if state is S.routed and action == SUPPLEMENT_ACTION:
        submission.notice_from, submission.notice_answered_at = at, None
    elif state is S.routed and submission.notice_from is None:
        submission.notice_from = submission.transferred_at  # None while triage holds it
    elif state in ANSWERS and submission.notice_from is not None and submission.notice_answered_at is None:
        submission.notice_answered_at = at
