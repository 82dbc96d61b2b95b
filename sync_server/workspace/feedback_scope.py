"""Who may see which ratings and rectifications (the same rule as ``scope.py``, for 9.1/9.2).

The city administrator and the city supervisor see all. A department (its reviewers and
its head) sees the ratings of its own cases and the rectifications it must answer; station
staff see the ratings given at collection at their station and the rectifications their
station must answer or that they reported. Anything else answers 404, like a thing that
does not exist. The auditor sees none.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from shared_schema import EvaluationStage

from ..models import Evaluation, Rectification, Submission
from .errors import WorkspaceError
from .models import StaffUser
from .roles import CITY_WIDE, DEPARTMENT_OWN, Role

CAN_FEEDBACK = CITY_WIDE | DEPARTMENT_OWN | {Role.station_staff}
CAN_COMPLAIN = CITY_WIDE | {Role.station_staff}  # enter a 12345 / village staff complaint
CAN_DECIDE_APPEAL = {Role.city_supervisor}


def rating_department():  # type: ignore[no-untyped-def]
    """The department a rating belongs to: as stored, else its case's current one."""
    return func.coalesce(Evaluation.department_code, Submission.department_code)


def ratings_visible(user: StaffUser) -> ColumnElement[bool]:
    """WHERE on ``Evaluation`` (outer-joined to its ``Submission``) for this user."""
    role = Role(user.role)
    if role in CITY_WIDE:
        return true()
    if role in DEPARTMENT_OWN:
        return rating_department() == user.department_code
    if role is Role.station_staff:
        return and_(
            Evaluation.station_code == user.station_code,
            Evaluation.at_stage == EvaluationStage.collect.value,
        )
    return false()


def rectifications_visible(user: StaffUser) -> ColumnElement[bool]:
    role = Role(user.role)
    if role in CITY_WIDE:
        return true()
    if role in DEPARTMENT_OWN:
        return Rectification.unit_department_code == user.department_code
    if role is Role.station_staff:
        return or_(
            Rectification.unit_station_code == user.station_code, Rectification.opened_by == user.username
        )
    return false()


def is_responsible(user: StaffUser, rect: Rectification) -> bool:
    """Only the responsible unit's own staff record contact, verification, answer and fix."""
    role = Role(user.role)
    if role in DEPARTMENT_OWN:
        return rect.unit_department_code is not None and rect.unit_department_code == user.department_code
    if role is Role.station_staff:
        return rect.unit_station_code is not None and rect.unit_station_code == user.station_code
    return False


def load_rectification(session: Session, user: StaffUser, rect_id: int) -> Rectification:
    """The rectification if this user may see it, else 404 (as if it did not exist)."""
    rect = session.scalars(
        select(Rectification).where(Rectification.id == rect_id, rectifications_visible(user))
    ).first()
    if rect is None:
        raise WorkspaceError("not found", "未找到该整改事项", status=404)
    return rect


def rating_case_join(query: Select) -> Select:  # type: ignore[type-arg]
    """Ratings with their case (by receipt number; a rating at collection may have none)."""
    return query.outerjoin(Submission, Submission.receipt_no == Evaluation.receipt_no)
