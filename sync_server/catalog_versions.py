"""Catalog versions: draft → published, never edited in place (standard 5.1, 5.4).

A published version (:class:`CatalogRelease`) is never written again; a change starts a
:class:`CatalogDraft` as a copy of the current version (or of an imported file), is
edited and validated there, and becomes a new version when the city administrator
publishes it with a reason. Publishing makes it the current release, which
``GET /catalog`` serves under a new ETag, so kiosks take it at their next sync; a kiosk
that is offline keeps the version it cached and reports it in its heartbeat.

Every function leaves the transaction to the caller. Failures are :class:`ApiError`
(English for logs and the CLI, Chinese for the page).
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_schema import Catalog, FieldProblem, Matter, SchemaError
from shared_schema.catalog_diff import CatalogDiff, diff_catalogs

from .catalog_sync import load_catalog_into
from .db import utcnow
from .errors import ApiError
from .models.catalog import CatalogDraft, CatalogRelease

DRAFT, PUBLISHED, DISCARDED = "draft", "published", "discarded"
YAML_PUBLISHER = "init-db"
REASON_MIN, REASON_MAX = 4, 500


def releases(session: Session) -> list[CatalogRelease]:
    """Every published version, newest first."""
    return list(session.scalars(select(CatalogRelease).order_by(CatalogRelease.loaded_at.desc())))


def drafts(session: Session, state: str = DRAFT) -> list[CatalogDraft]:
    return list(
        session.scalars(select(CatalogDraft).where(CatalogDraft.state == state).order_by(CatalogDraft.id))
    )


def release_catalog(release: CatalogRelease) -> Catalog:
    return Catalog.model_validate_json(release.body)


def draft_catalog(draft: CatalogDraft) -> Catalog:
    """Drafts hold only what validated when it was saved."""
    return Catalog.model_validate(draft.body)


def get_release(session: Session, version: str) -> CatalogRelease:
    release = session.get(CatalogRelease, version)
    if release is None:
        raise ApiError(404, "no_such_version", f"no catalog version {version}", "没有这个清单版本")
    return release


def get_draft(session: Session, draft_id: int, *, for_update: bool = False) -> CatalogDraft:
    query = select(CatalogDraft).where(CatalogDraft.id == draft_id)
    draft = session.scalars(query.with_for_update() if for_update else query).first()
    if draft is None:
        raise ApiError(404, "no_such_draft", f"no catalog draft {draft_id}", "没有这个清单草稿")
    return draft


def catalog_of(session: Session, ref: str) -> Catalog:
    """A version (``2026.01.01``) or a draft (``draft-3``) as a catalog, for diffs and export."""
    if ref.startswith("draft-") and ref.removeprefix("draft-").isdigit():
        return draft_catalog(get_draft(session, int(ref.removeprefix("draft-"))))
    return release_catalog(get_release(session, ref))


def diff(session: Session, old_ref: str, new_ref: str) -> CatalogDiff:
    return diff_catalogs(catalog_of(session, old_ref), catalog_of(session, new_ref))


def _current(session: Session, *, lock: bool = False) -> CatalogRelease:
    query = select(CatalogRelease).where(CatalogRelease.is_current)
    release = session.scalars(query.with_for_update() if lock else query).first()
    if release is None:
        raise ApiError(
            409, "no_catalog", "no catalog published yet; run tongban server init-db", "尚未发布事项清单"
        )
    return release


def start_draft(session: Session, by: str, version: str | None = None) -> CatalogDraft:
    """A new draft copying ``version`` (default: the current one)."""
    release = get_release(session, version) if version else _current(session)
    return _new_draft(
        session,
        release_catalog(release),
        by,
        based_on=_current(session).version,
        source=f"复制版本 {release.version}",
    )


def import_draft(session: Session, catalog: Catalog, by: str, filename: str) -> CatalogDraft:
    """A new draft holding an imported catalog (validated by the caller's parser)."""
    return _new_draft(
        session, catalog, by, based_on=_current(session).version, source=f"导入文件 {filename}"[:200]
    )


def _new_draft(session: Session, catalog: Catalog, by: str, *, based_on: str, source: str) -> CatalogDraft:
    now = utcnow()
    draft = CatalogDraft(
        based_on=based_on,
        body=_body(catalog),
        state=DRAFT,
        source=source,
        created_by=by,
        created_at=now,
        updated_by=by,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


def _body(catalog: Catalog) -> dict:
    data = catalog.to_json_dict()
    data["holidays"] = []  # the server's own tables ride along when published, never the draft's
    return data


def _editable(session: Session, draft_id: int) -> CatalogDraft:
    draft = get_draft(session, draft_id, for_update=True)
    if draft.state != DRAFT:
        raise ApiError(
            409,
            "draft_closed",
            f"draft {draft_id} is {draft.state}; start a new draft",
            "这个草稿已发布或已放弃，不能再修改；请新建草稿",
        )
    return draft


def _store(draft: CatalogDraft, catalog: Catalog, by: str) -> None:
    problems = catalog.reference_problems()
    if problems:
        raise SchemaError([FieldProblem("references", p) for p in problems], model="Catalog")
    draft.body = _body(catalog)
    draft.updated_by, draft.updated_at = by, utcnow()


def save_matter(session: Session, draft_id: int, matter: Matter, by: str) -> CatalogDraft:
    """Put ``matter`` (already validated) into the draft, replacing the one with its code."""
    draft = _editable(session, draft_id)
    catalog = draft_catalog(draft)
    matters = [matter if m.code == matter.code else m for m in catalog.matters]
    if matter.code not in {m.code for m in catalog.matters}:
        matters.append(matter)
    _store(draft, catalog.model_copy(update={"matters": matters}), by)
    return draft


def save_catalog(session: Session, draft_id: int, catalog: Catalog, by: str) -> CatalogDraft:
    """Replace the whole draft (a change spanning records, e.g. a matter and its departments)."""
    draft = _editable(session, draft_id)
    _store(draft, catalog, by)
    return draft


def remove_matter(session: Session, draft_id: int, code: str, by: str) -> CatalogDraft:
    """Drop a matter from the draft, and from the departments that handled it."""
    draft = _editable(session, draft_id)
    catalog = draft_catalog(draft)
    if code not in {m.code for m in catalog.matters}:
        raise ApiError(
            404, "no_such_matter", f"matter {code} is not in draft {draft_id}", "草稿中没有这个事项"
        )
    departments = [
        d.model_copy(update={"matters": [c for c in d.matters if c != code]}) for d in catalog.departments
    ]
    matters = [m for m in catalog.matters if m.code != code]
    _store(draft, catalog.model_copy(update={"matters": matters, "departments": departments}), by)
    return draft


def discard(session: Session, draft_id: int, by: str) -> CatalogDraft:
    draft = _editable(session, draft_id)
    draft.state, draft.updated_by, draft.updated_at = DISCARDED, by, utcnow()
    return draft


def next_version(session: Session, today: date) -> str:
    """``YYYY.MM.DD`` of the publishing day, ``.2``, ``.3``… when that day has one already."""
    base = today.strftime("%Y.%m.%d")
    taken = set(
        session.scalars(select(CatalogRelease.version).where(CatalogRelease.version.like(f"{base}%")))
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}.{n}" in taken:
        n += 1
    return f"{base}.{n}"


def check_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise ApiError(
            400,
            "reason_required",
            f"a reason of {REASON_MIN}-{REASON_MAX} characters is required",
            f"请填写发布理由（{REASON_MIN}–{REASON_MAX} 个字）",
        )
    return text


def publish(session: Session, draft_id: int, by: str, reason: str | None, today: date) -> CatalogRelease:
    """The draft becomes the new current version; the old one stays as it was."""
    text = check_reason(reason)
    draft = _editable(session, draft_id)
    current = _current(session, lock=True)
    if draft.based_on != current.version:
        raise ApiError(
            409,
            "draft_stale",
            f"draft {draft_id} was made from {draft.based_on}, but {current.version} is current now",
            f"草稿基于 {draft.based_on} 版本，现行版本已是 {current.version}；请基于现行版本重新起草",
        )
    catalog = draft_catalog(draft)
    if diff_catalogs(release_catalog(current), catalog).empty:
        raise ApiError(
            409,
            "nothing_changed",
            "the draft does not differ from the current version",
            "草稿与现行版本没有差别，无需发布",
        )
    version = next_version(session, today)
    stamped = catalog.version.model_copy(
        update={
            "version": version,
            "published_on": today,
            "city_code": current.city_code,
            "city_name": current.city_name,
        }
    )
    release = load_catalog_into(session, catalog.model_copy(update={"version": stamped}))
    release.published_by, release.reason, release.based_on = by, text, current.version
    draft.state, draft.published_version = PUBLISHED, version
    draft.updated_by, draft.updated_at = by, utcnow()
    session.flush()
    return release


def load_yaml_release(session: Session, catalog: Catalog) -> tuple[CatalogRelease, str]:
    """``init-db``: the catalog folder's version, published once and never rewritten.

    First load: stored and made current (``published``). Same version and content again:
    refreshed if it is still current, else left alone so a version published later in the
    workspace stays current (``unchanged`` / ``kept``). Same version, other content: refused,
    a published version does not change.
    """
    existing = session.get(CatalogRelease, catalog.version.version)
    if existing is None:
        release = load_catalog_into(session, catalog)
        release.published_by, release.reason = YAML_PUBLISHER, "由目录文件（catalog.yaml）发布"
        return release, "published"
    if _comparable(release_catalog(existing)) != _comparable(catalog):
        raise ApiError(
            409,
            "version_immutable",
            f"catalog version {existing.version} is published and cannot change; "
            "give catalog.yaml a new version (or edit a draft in the workspace)",
            f"清单版本 {existing.version} 已发布，不能修改",
        )
    if existing.is_current:
        return load_catalog_into(session, catalog), "unchanged"
    return _current(session), "kept"


def _comparable(catalog: Catalog) -> str:
    """The content that makes a version: the order of files in a folder does not count."""
    data = catalog.to_json_dict()
    data.pop("holidays", None)
    for part in ("divisions", "departments", "stations", "matters"):
        data[part] = sorted(data[part], key=lambda record: record["code"])
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def current_version(session: Session) -> str:
    return _current(session).version
