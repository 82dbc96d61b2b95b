"""督办提醒: the workspace side of supervision — what ``tongban server supervise`` told me.

Each recipient sees their own steps (channel ``workspace``), newest first, with the case
they concern; opening the page marks them read. The SMS copy of a step is in the same
log (``escalation_steps``, channel ``sms``).
"""

from __future__ import annotations

from sqlalchemy import select, update

from ..db import get_db, utcnow
from ..models import Submission
from .roles import CAN_ALERTS
from .scope import require_role
from .supervision import CLOCK_LABELS, LEVEL_LABELS
from .supervision_models import EscalationStep
from .web import bp, page, user

SHOWN = 200


@bp.get("/alerts", endpoint="alerts")
def alerts_view():  # type: ignore[no-untyped-def]
    staff = user()
    require_role(staff, CAN_ALERTS)
    with get_db().transaction(write=True) as session:
        mine = EscalationStep.recipient == staff.username, EscalationStep.channel == "workspace"
        rows = session.execute(
            select(EscalationStep, Submission.receipt_no, Submission.state)
            .join(Submission, Submission.id == EscalationStep.submission_id)
            .where(*mine)
            .order_by(EscalationStep.at.desc(), EscalationStep.id.desc())
            .limit(SHOWN)
        ).all()
        items = [(step, receipt, state, step.read_at is None) for step, receipt, state in rows]
        session.execute(
            update(EscalationStep).where(*mine, EscalationStep.read_at.is_(None)).values(read_at=utcnow())
        )
    return page("alerts.html", items=items, clocks=CLOCK_LABELS, levels=LEVEL_LABELS)
