"""The published catalog as rows: departments, stations, matters, entrustments.

Loaded (and refreshed) from ``shared_schema.load_catalog()`` by ``tongban server init-db``.
Rows that vanish from a newer catalog are marked inactive, never deleted: submissions
and routing decisions still point at them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared_schema.bounds import CATALOG_VERSION_LEN, MATTER_CODE_LEN, STATION_CODE_LEN

from ..db import Base, JsonType, UtcDateTime, utcnow


class CatalogRelease(Base):
    """One published catalog version; exactly one is current and is served to kiosks.

    Published versions are never edited: a change is a :class:`CatalogDraft` made from
    one and published as a new version. ``published_by`` and ``reason`` are its change
    log entry (who and why); ``based_on`` the version it was drafted from.
    """

    __tablename__ = "catalog_releases"

    version: Mapped[str] = mapped_column(String(CATALOG_VERSION_LEN), primary_key=True)
    published_on: Mapped[date] = mapped_column(Date)
    city_code: Mapped[str] = mapped_column(String(6))
    city_name: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text, doc="the Catalog JSON exactly as served")
    etag: Mapped[str] = mapped_column(String(64))
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_by: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    based_on: Mapped[str | None] = mapped_column(String(CATALOG_VERSION_LEN))


class CatalogDraft(Base):
    """A catalog being prepared: a copy of a published version, edited until published.

    ``state`` is ``draft`` while it may change, then ``published`` (``published_version``
    names the release it became) or ``discarded``; only a draft is ever written to.
    """

    __tablename__ = "catalog_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    based_on: Mapped[str] = mapped_column(String(CATALOG_VERSION_LEN))
    body: Mapped[dict[str, Any]] = mapped_column(JsonType, doc="the Catalog JSON being edited")
    state: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    source: Mapped[str] = mapped_column(String(200), doc="how it began: a version copied, a file imported")
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_version: Mapped[str | None] = mapped_column(String(CATALOG_VERSION_LEN))


class Division(Base):
    __tablename__ = "divisions"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(String(12))


class DepartmentMatter(Base):
    """Which department handles which matter (Department.matters in the catalog)."""

    __tablename__ = "department_matters"

    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), primary_key=True)
    matter_code: Mapped[str] = mapped_column(ForeignKey("matters.code"), primary_key=True, index=True)


class Department(Base):
    """业务办理部门; ``is_triage`` marks the city queue for what cannot be routed."""

    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    domain: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    is_triage: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    matter_links: Mapped[list[DepartmentMatter]] = relationship(cascade="all, delete-orphan")

    @property
    def matter_codes(self) -> list[str]:
        return sorted(link.matter_code for link in self.matter_links)


class Station(Base):
    """便民服务中心 / 村级服务站 hosting kiosks and a tongban window."""

    __tablename__ = "stations"

    code: Mapped[str] = mapped_column(String(STATION_CODE_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    division_code: Mapped[str] = mapped_column(String(12), index=True)
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    hours: Mapped[str | None] = mapped_column(String(100))
    window_name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Matter(Base):
    """政务服务事项; ``body`` keeps the full Matter JSON (guide, materials) for forms."""

    __tablename__ = "matters"

    code: Mapped[str] = mapped_column(String(MATTER_CODE_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str] = mapped_column(String(50))
    frequency: Mapped[str] = mapped_column(String(10))
    handling_mode: Mapped[str] = mapped_column(String(24))
    case_type: Mapped[str] = mapped_column(String(10))
    legal_days: Mapped[int] = mapped_column(Integer)
    promised_days: Mapped[int] = mapped_column(Integer)
    catalog_version: Mapped[str] = mapped_column(String(CATALOG_VERSION_LEN))
    body: Mapped[dict[str, Any]] = mapped_column(JsonType)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    entrustments: Mapped[list[Entrustment]] = relationship(cascade="all, delete-orphan")


class Entrustment(Base):
    """异地委托审批: ``department_code`` may decide on behalf of ``on_behalf_of_code``."""

    __tablename__ = "entrustments"
    __table_args__ = (UniqueConstraint("matter_code", "department_code", "on_behalf_of_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    matter_code: Mapped[str] = mapped_column(ForeignKey("matters.code"), index=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    on_behalf_of_code: Mapped[str] = mapped_column(ForeignKey("departments.code"))
