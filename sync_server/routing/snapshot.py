"""The catalog rows routing reads, held in memory while the catalog stays the same.

Routing one submission reads its station, its matter and a few departments: five round
trips per ingest on PostgreSQL. The catalog tables change only through
``catalog_sync.load_catalog_into``, which always rewrites the current release's ETag (a
digest of the whole served catalog), so a snapshot is keyed by that ETag and one small
query per ingest says whether it is still good. Lookups answer exactly as
:class:`~.directory.DbDirectory` does (tests compare the two on every rule).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, Table, select
from sqlalchemy.orm import Session

from shared_schema import HandlingMode

from ..models import CatalogRelease, Department, DepartmentMatter, Entrustment, Matter, Station

_MAX_CACHED = 16  # databases per process (one in production; tests use many)
_cache: dict[str, tuple[str | None, CatalogSnapshot]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class _Dept:
    name: str
    division_code: str
    active: bool
    is_triage: bool


@dataclass(frozen=True)
class CatalogSnapshot:
    """A :class:`~.directory.Directory` over in-memory copies of the catalog rows."""

    city: str | None
    modes: dict[str, HandlingMode] = field(default_factory=dict)
    departments: dict[str, _Dept] = field(default_factory=dict)
    handlers: dict[str, list[str]] = field(default_factory=dict)
    entrusted: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    stations: dict[str, str] = field(default_factory=dict)

    def handling_mode(self, matter_code: str) -> HandlingMode | None:
        return self.modes.get(matter_code)

    def handling_departments(self, matter_code: str, division_prefix: str) -> list[str]:
        return [
            code
            for code in self.handlers.get(matter_code, [])
            if (d := self.departments.get(code)) is not None
            and d.active
            and not d.is_triage
            and d.division_code.startswith(division_prefix)
        ]

    def entrusted_departments(self, matter_code: str, county: str, on_behalf_of: list[str]) -> list[str]:
        codes = {
            dept
            for dept, principal in self.entrusted.get(matter_code, [])
            if principal in on_behalf_of
            and (d := self.departments.get(dept)) is not None
            and d.active
            and d.division_code.startswith(county)
        }
        return sorted(codes)

    def city_code(self) -> str | None:
        return self.city

    def triage_department(self) -> str | None:
        return next((c for c, d in sorted(self.departments.items()) if d.is_triage and d.active), None)

    def name(self, department_code: str) -> str:
        dept = self.departments.get(department_code)
        return dept.name if dept else department_code

    def station_division(self, station_code: str | None) -> str | None:
        return self.stations.get(station_code) if station_code else None


_RELEASES: Table = CatalogRelease.__table__  # type: ignore[assignment]
# built once: it runs on every ingest
_CURRENT_ETAG = select(_RELEASES.c.etag).where(_RELEASES.c.is_current).limit(1)


def current_etag(connection: Connection) -> str | None:
    """The current catalog release's ETag (what a cached snapshot is checked against)."""
    return connection.execute(_CURRENT_ETAG).scalar()


def _load(session: Session) -> CatalogSnapshot:
    release = session.scalars(select(CatalogRelease).where(CatalogRelease.is_current)).first()
    handlers: dict[str, list[str]] = defaultdict(list)
    for dept, matter in session.execute(
        select(DepartmentMatter.department_code, DepartmentMatter.matter_code).order_by(
            DepartmentMatter.department_code
        )
    ):
        handlers[matter].append(dept)
    entrusted: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for matter, dept, principal in session.execute(
        select(Entrustment.matter_code, Entrustment.department_code, Entrustment.on_behalf_of_code)
    ):
        entrusted[matter].append((dept, principal))
    return CatalogSnapshot(
        city=release.city_code if release else None,
        modes={
            code: HandlingMode(mode)
            for code, mode in session.execute(select(Matter.code, Matter.handling_mode).where(Matter.active))
        },
        departments={
            row.code: _Dept(row.name, row.division_code, row.active, row.is_triage)
            for row in session.execute(
                select(
                    Department.code,
                    Department.name,
                    Department.division_code,
                    Department.active,
                    Department.is_triage,
                )
            )
        },
        handlers=dict(handlers),
        entrusted=dict(entrusted),
        stations={
            code: division for code, division in session.execute(select(Station.code, Station.division_code))
        },
    )


def catalog_snapshot(session: Session, etag: str | None = None) -> CatalogSnapshot:
    """The routing view of the current catalog (one query when it is cached; none when the
    caller read the current ``etag`` in this transaction already)."""
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    if etag is None:
        etag = current_etag(session.connection())
    cached = _cache.get(key)
    if cached is not None and cached[0] == etag:
        return cached[1]
    snapshot = _load(session)
    # cache only if no catalog load committed while we read (PostgreSQL reads committed data)
    if current_etag(session.connection()) == etag:
        with _lock:
            if len(_cache) >= _MAX_CACHED:
                _cache.clear()
            _cache[key] = (etag, snapshot)
    return snapshot
