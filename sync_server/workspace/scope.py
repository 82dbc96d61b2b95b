"""Which submissions a user may see: the one rule every view goes through.

A reviewer sees the submissions currently routed to their department; the city
administrator sees all; station staff see their station's results waiting for pickup
(and nothing else); the auditor sees no submission. Anything outside the scope answers
404 exactly like a submission that does not exist.
"""

from __future__ import annotations

from sqlalchemy import Select, false, select, true
from sqlalchemy.orm import Session, selectinload

from shared_schema import SubmissionState as S

from ..models import Submission
from .errors import forbidden, not_found
from .models import CaseResult, StaffUser
from .roles import CITY_WIDE, DEPARTMENT_OWN, Role

PICKUP_STATES = (S.completed.value, S.delivered.value)


def visible(user: StaffUser):  # type: ignore[no-untyped-def]
    """A WHERE clause on ``Submission`` for this user's scope."""
    role = Role(user.role)
    if role in CITY_WIDE:
        return true()
    if role in DEPARTMENT_OWN:
        return Submission.department_code == user.department_code
    if role is Role.station_staff:
        pickup = select(CaseResult.submission_id).where(CaseResult.pickup_station == user.station_code)
        return Submission.id.in_(pickup) & Submission.state.in_(PICKUP_STATES)
    return false()


def scoped(query: Select, user: StaffUser) -> Select:
    return query.where(visible(user))


def require_role(user: StaffUser, allowed: set[Role]) -> None:
    if Role(user.role) not in allowed:
        raise forbidden()


def load(session: Session, user: StaffUser, submission_id: int, *, full: bool = False) -> Submission:
    """The submission if this user may see it, else WorkspaceError 404."""
    query = select(Submission).where(Submission.id == submission_id, visible(user))
    if full:
        query = query.options(
            selectinload(Submission.pages),
            selectinload(Submission.events),
            selectinload(Submission.decisions),
        )
    submission = session.scalar(query)
    if submission is None:
        raise not_found()
    return submission


def may_decide(user: StaffUser, submission: Submission) -> bool:
    """Only a reviewer of the department the case is routed to decides it."""
    return Role(user.role) is Role.reviewer and submission.department_code == user.department_code
