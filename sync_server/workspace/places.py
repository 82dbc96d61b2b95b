"""Names for the codes staff would otherwise read: their department, station and 属地.

Staff know 「阳城县人力资源和社会保障局」 and 「阳城县」, not ``140522-RS`` and ``140522``;
pages show the name and keep the code as small secondary text.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..models import Department, Division, Station
from .models import StaffUser


@dataclass(frozen=True)
class Place:
    """Where a staff member works, by name (empty when the role has no such place)."""

    department: str = ""
    station: str = ""


def place_of(session: Session, user: StaffUser) -> Place:
    dept = session.get(Department, user.department_code) if user.department_code else None
    station = session.get(Station, user.station_code) if user.station_code else None
    return Place(
        department=dept.name if dept else (user.department_code or ""),
        station=station.name if station else (user.station_code or ""),
    )


def division_name(session: Session, code: str | None) -> str:
    """The division's name; for a village or township the catalog does not list, the
    nearest listed parent's (12-digit codes nest: county 6, township 9); else the code."""
    if not code:
        return ""
    for prefix in dict.fromkeys((code, code[:9], code[:6])):
        division = session.get(Division, prefix)
        if division is not None:
            return division.name
    return code
