"""Load a published catalog into the database and say which one is current.

Refreshing is an upsert by code: changed rows are updated, new ones added, and rows
missing from the new catalog are marked inactive (submissions still refer to them).
The served JSON and its ETag are stored too, so every gunicorn worker serves the same
bytes and a kiosk can ask "changed since?" with ``If-None-Match``. The imported holiday
tables travel inside that JSON (``holidays``): importing one republishes the current
release with a new ETag, so kiosks fetch it with their next catalog refresh.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared_schema import Catalog
from shared_schema.catalog import CATALOG_FORMAT, catalog_json_for_format

from .holiday_store import stored_tables
from .models import (
    CatalogRelease,
    Department,
    DepartmentMatter,
    Division,
    Entrustment,
    Matter,
    Station,
)


def catalog_body(catalog: Catalog) -> str:
    return json.dumps(catalog.to_json_dict(), ensure_ascii=False, separators=(",", ":"))


def catalog_etag(version: str, body: str) -> str:
    return f'"{version}-{hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]}"'


def _upsert(session: Session, model: type, key: str, records: dict[str, dict[str, Any]]) -> None:
    """Make the table hold ``records``; rows not among them become inactive."""
    existing = {getattr(row, key): row for row in session.scalars(select(model))}
    for code, values in records.items():
        row = existing.get(code)
        if row is None:
            session.add(model(**{key: code}, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
    if hasattr(model, "active"):
        for code, row in existing.items():
            if code not in records:
                row.active = False


def load_catalog_into(session: Session, catalog: Catalog) -> CatalogRelease:
    """Store ``catalog`` and make it the current release. The caller commits."""
    version = catalog.version.version
    _upsert(
        session,
        Division,
        "code",
        {
            d.code: {"name": d.name, "level": d.level.value, "parent_code": d.parent_code}
            for d in catalog.divisions
        },
    )
    _upsert(
        session,
        Station,
        "code",
        {
            s.code: {
                "name": s.name,
                "division_code": s.division_code,
                "address": s.address,
                "phone": s.phone,
                "hours": s.hours,
                "window_name": s.window_name,
                "active": True,
            }
            for s in catalog.stations
        },
    )
    _upsert(session, Matter, "code", {m.code: _matter_values(m, version) for m in catalog.matters})
    _upsert(
        session,
        Department,
        "code",
        {
            d.code: {
                "name": d.name,
                "division_code": d.division_code,
                "domain": d.domain,
                "phone": d.phone,
                "address": d.address,
                "is_triage": d.is_triage,
                "active": True,
            }
            for d in catalog.departments
        },
    )
    session.flush()
    _link_matters(session, catalog)
    return _store_release(session, catalog.model_copy(update={"holidays": stored_tables(session)}))


def _matter_values(matter: Any, version: str) -> dict[str, Any]:
    return {
        "name": matter.name,
        "domain": matter.domain,
        "frequency": matter.frequency.value,
        "handling_mode": matter.handling_mode.value,
        "case_type": matter.case_type.value,
        "legal_days": matter.legal_days,
        "promised_days": matter.promised_days,
        "catalog_version": version,
        "body": matter.to_json_dict(),
        "active": True,
    }


def _link_matters(session: Session, catalog: Catalog) -> None:
    """Replace department↔matter links and entrustments with the catalog's."""
    for dept in catalog.departments:
        row = session.get_one(Department, dept.code)
        wanted = set(dept.matters)
        row.matter_links = [link for link in row.matter_links if link.matter_code in wanted]
        have = {link.matter_code for link in row.matter_links}
        row.matter_links.extend(DepartmentMatter(matter_code=code) for code in sorted(wanted - have))
    for matter in catalog.matters:
        row = session.get_one(Matter, matter.code)
        wanted_pairs = {(e.department, b) for e in matter.entrustments for b in e.on_behalf_of}
        row.entrustments = [
            e for e in row.entrustments if (e.department_code, e.on_behalf_of_code) in wanted_pairs
        ]
        have_pairs = {(e.department_code, e.on_behalf_of_code) for e in row.entrustments}
        row.entrustments.extend(
            Entrustment(department_code=d, on_behalf_of_code=b) for d, b in sorted(wanted_pairs - have_pairs)
        )
    session.flush()


def _store_release(session: Session, catalog: Catalog) -> CatalogRelease:
    body = catalog_body(catalog)
    version = catalog.version.version
    session.execute(update(CatalogRelease).values(is_current=False))
    release = session.get(CatalogRelease, version) or CatalogRelease(version=version)
    release.published_on = catalog.version.published_on
    release.city_code = catalog.version.city_code
    release.city_name = catalog.version.city_name
    release.body = body
    release.etag = catalog_etag(version, body)
    release.is_current = True
    session.add(release)
    session.flush()
    return release


def republish_holidays(session: Session) -> CatalogRelease | None:
    """Put the stored holiday tables into the current release (None before any catalog)."""
    release = current_release(session)
    if release is None:
        return None
    catalog = Catalog.model_validate_json(release.body)
    return _store_release(session, catalog.model_copy(update={"holidays": stored_tables(session)}))


_OLDER_FORMATS: dict[tuple[str, int], tuple[str, str]] = {}


def release_in_format(release: CatalogRelease, fmt: int) -> tuple[str, str]:
    """The release's body and ETag as a kiosk reading catalog format ``fmt`` must get them.

    Older kiosks refuse fields they do not know, so they get the body without the fields
    added after their format, under an ETag of its own (derived bodies are kept per ETag).
    """
    if fmt >= CATALOG_FORMAT:
        return release.body, release.etag
    key = (release.etag, fmt)
    found = _OLDER_FORMATS.get(key)
    if found is None:
        older = catalog_json_for_format(json.loads(release.body), fmt)
        body = json.dumps(older, ensure_ascii=False, separators=(",", ":"))
        found = (body, catalog_etag(f"{release.version}-f{fmt}", body))
        if len(_OLDER_FORMATS) > 16:  # a handful of releases × formats; threads may race harmlessly
            _OLDER_FORMATS.clear()
        _OLDER_FORMATS[key] = found
    return found


def current_release(session: Session) -> CatalogRelease | None:
    return session.scalars(select(CatalogRelease).where(CatalogRelease.is_current)).first()
