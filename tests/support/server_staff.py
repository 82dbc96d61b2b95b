"""Staff accounts tests need on a live server's database (created on first use)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session


def reviewer_for(session: Session, submission: Any) -> Any:
    """A reviewer of ``submission``'s department: the first there is, else a new one."""
    from sync_server.workspace.models import StaffUser

    query = select(StaffUser).where(StaffUser.department_code == submission.department_code)
    user = session.scalars(query).first()
    if user is None:
        user = StaffUser(
            username=f"rev-{submission.department_code}"[:40], role="reviewer", full_name="审核",
            department_code=submission.department_code, password_hash="-", active=True, failed_logins=0,
        )  # fmt: skip
        session.add(user)
        session.flush()
    return user
