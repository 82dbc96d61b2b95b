"""What the routing engine needs to know about departments, read from the catalog tables."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from shared_schema import HandlingMode

from ..catalog_sync import current_release
from ..models import Department, DepartmentMatter, Entrustment, Matter


class Directory(Protocol):
    def handling_mode(self, matter_code: str) -> HandlingMode | None: ...
    def handling_departments(self, matter_code: str, division_prefix: str) -> list[str]: ...
    def entrusted_departments(self, matter_code: str, county: str, on_behalf_of: list[str]) -> list[str]: ...
    def city_code(self) -> str | None: ...
    def triage_department(self) -> str | None: ...
    def name(self, department_code: str) -> str: ...


class DbDirectory:
    """Active catalog rows; every list sorted by code so decisions are deterministic."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def handling_mode(self, matter_code: str) -> HandlingMode | None:
        matter = self.session.get(Matter, matter_code)
        if matter is None or not matter.active:
            return None
        return HandlingMode(matter.handling_mode)

    def handling_departments(self, matter_code: str, division_prefix: str) -> list[str]:
        """Departments handling the matter whose division lies in ``division_prefix``."""
        query = (
            select(Department.code)
            .join(DepartmentMatter, DepartmentMatter.department_code == Department.code)
            .where(
                DepartmentMatter.matter_code == matter_code,
                Department.active,
                ~Department.is_triage,
                Department.division_code.startswith(division_prefix, autoescape=True),
            )
            .order_by(Department.code)
        )
        return list(self.session.scalars(query))

    def entrusted_departments(self, matter_code: str, county: str, on_behalf_of: list[str]) -> list[str]:
        entrusted = aliased(Department)
        query = (
            select(Entrustment.department_code)
            .join(entrusted, entrusted.code == Entrustment.department_code)
            .where(
                Entrustment.matter_code == matter_code,
                Entrustment.on_behalf_of_code.in_(on_behalf_of),
                entrusted.active,
                entrusted.division_code.startswith(county, autoescape=True),
            )
            .distinct()
            .order_by(Entrustment.department_code)
        )
        return list(self.session.scalars(query))

    def city_code(self) -> str | None:
        release = current_release(self.session)
        return release.city_code if release else None

    def triage_department(self) -> str | None:
        query = (
            select(Department.code)
            .where(Department.is_triage, Department.active)
            .order_by(Department.code)
            .limit(1)
        )
        return self.session.scalars(query).first()

    def name(self, department_code: str) -> str:
        dept = self.session.get(Department, department_code)
        return dept.name if dept else department_code
