"""The catalog pages (standard 5.1, 5.4, 6.3): versions, diffs, drafts, the guide editor.

The city administrator drafts a new version from the current one (or from an imported
JSON/XLSX file), edits one matter's guide at a time in a form validated by shared_schema
(every problem shown beside its field), and publishes with a reason; the auditor can
read versions and diffs. Every change is in the audit log; the catalog holds no
personal data, so reading it is not logged, exporting it is.
"""

from __future__ import annotations

from flask import Response, redirect, request, url_for

from shared_schema import SchemaError
from shared_schema.catalog_sheets import (
    MAX_XLSX_BYTES,
    CatalogSheetError,
    catalog_from_file,
    catalog_to_json,
    catalog_to_xlsx,
)

from .. import catalog_versions as versions
from .. import tier_review
from ..db import get_db, utcnow
from ..errors import ApiError
from ..workdays import local_date
from . import audit
from .catalog_form import FORM_LABELS, FORMS, TIER_LABELS, TIERS, display_value, matter_from_form, state_of
from .errors import WorkspaceError
from .roles import CAN_CATALOG, CAN_CATALOG_EDIT
from .scope import require_role
from .web import bp, page, user, who


def _counties(catalog) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(d.code, d.name) for d in catalog.divisions if d.level.value == "county"]


@bp.get("/catalog", endpoint="catalog")
def catalog_view():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG)
    return _versions_page()


def _versions_page(status: int = 200, **extra: object):  # type: ignore[no-untyped-def]
    with get_db().transaction() as session:
        releases, drafts = versions.releases(session), versions.drafts(session)
        tier_due = tier_review.next_due(session) if releases else None
    return page("catalog.html", status, releases=releases, drafts=drafts, max_bytes=MAX_XLSX_BYTES,
                tier_due=tier_due, can_edit=user().role in CAN_CATALOG_EDIT,
                **{"problems": None, **extra})  # fmt: skip


@bp.post("/catalog/drafts", endpoint="catalog_new_draft")
def new_draft():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG_EDIT)
    with get_db().transaction(write=True) as session:
        draft = versions.start_draft(session, user().username, request.form.get("version") or None)
        audit.record(session, who(), "catalog_draft", detail={"draft": draft.id, "from": draft.based_on})
        draft_id = draft.id
    return redirect(url_for("workspace.catalog_draft", draft_id=draft_id), 303)


@bp.post("/catalog/import", endpoint="catalog_import")
def import_file():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG_EDIT)
    upload = request.files.get("catalog")
    problems: list[str] = []
    if upload is None or not upload.filename:
        problems = ["请选择要导入的清单文件（XLSX 或 JSON）"]
    else:
        raw = upload.read(MAX_XLSX_BYTES + 1)
        try:
            found = catalog_from_file(raw, upload.filename)
        except (CatalogSheetError, SchemaError) as exc:
            problems = [str(p) for p in exc.problems]
    if problems:
        return _versions_page(400, problems=problems, filename=upload.filename if upload else None)
    with get_db().transaction(write=True) as session:
        draft = versions.import_draft(session, found, user().username, upload.filename)
        audit.record(
            session, who(), "catalog_import", detail={"draft": draft.id, "file": upload.filename[:100]}
        )
        draft_id = draft.id
    return redirect(url_for("workspace.catalog_draft", draft_id=draft_id), 303)


@bp.get("/catalog/drafts/<int:draft_id>", endpoint="catalog_draft")
def draft_view(draft_id: int):  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG)
    with get_db().transaction() as session:
        draft = versions.get_draft(session, draft_id)
        catalog = versions.draft_catalog(draft)
        changes = versions.diff(session, draft.based_on, f"draft-{draft.id}")
        current = versions.current_version(session)
    return page(
        "catalog_draft.html",
        draft=draft,
        catalog=catalog,
        diff=changes,
        current=current,
        can_edit=user().role in CAN_CATALOG_EDIT and draft.state == versions.DRAFT,
    )


def _editor(draft_id: int, code: str, status: int = 200, state=None):  # type: ignore[no-untyped-def]
    with get_db().transaction() as session:
        draft = versions.get_draft(session, draft_id)
        catalog = versions.draft_catalog(draft)
    matter = _matter(catalog, code)
    counties = _counties(catalog)
    state = state or state_of(matter, [c for c, _ in counties])
    return page(
        "catalog_editor.html",
        status,
        draft=draft,
        matter=matter,
        state=state,
        counties=counties,
        forms=FORMS,
        tiers=TIERS,
    )


def _matter(catalog, code: str):  # type: ignore[no-untyped-def]
    try:
        return catalog.matter(code)
    except KeyError:
        raise WorkspaceError(f"no matter {code} in this draft", "草稿中没有这个事项", status=404) from None


@bp.get("/catalog/drafts/<int:draft_id>/matters/<code>", endpoint="catalog_matter")
def matter_view(draft_id: int, code: str):  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG_EDIT)
    return _editor(draft_id, code)


@bp.post("/catalog/drafts/<int:draft_id>/matters/<code>", endpoint="catalog_matter_save")
def matter_save(draft_id: int, code: str):  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG_EDIT)
    with get_db().transaction() as session:
        catalog = versions.draft_catalog(versions.get_draft(session, draft_id))
    base = _matter(catalog, code)
    edited, state = matter_from_form(base, request.form, [c for c, _ in _counties(catalog)])
    if edited is None:
        return _editor(draft_id, code, 400, state)
    try:
        with get_db().transaction(write=True) as session:
            versions.save_matter(session, draft_id, edited, user().username)
            audit.record(session, who(), "catalog_edit", detail={"draft": draft_id, "matter": code})
    except SchemaError as exc:  # references across the catalog (e.g. an override's county)
        state.errors.setdefault("", []).extend(str(p) for p in exc.problems)
        return _editor(draft_id, code, 400, state)
    return redirect(url_for("workspace.catalog_draft", draft_id=draft_id, saved=code) + f"#m-{code}", 303)


@bp.post("/catalog/drafts/<int:draft_id>/matters/<code>/remove", endpoint="catalog_matter_remove")
def matter_remove(draft_id: int, code: str):  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG_EDIT)
    with get_db().transaction(write=True) as session:
        versions.remove_matter(session, draft_id, code, user().username)
        audit.record(session, who(), "catalog_edit", detail={"draft": draft_id, "removed": code})
    return redirect(url_for("workspace.catalog_draft", draft_id=draft_id), 303)


@bp.post("/catalog/drafts/<int:draft_id>/publish", endpoint="catalog_publish")
def publish(draft_id: int):  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG_EDIT)
    with get_db().transaction(write=True) as session:
        release = versions.publish(
            session, draft_id, user().username, request.form.get("reason"), local_date(utcnow())
        )
        audit.record(
            session, who(), "catalog_publish", detail={"draft": draft_id, "version": release.version}
        )
        version = release.version
    return redirect(url_for("workspace.catalog", published=version), 303)


@bp.post("/catalog/drafts/<int:draft_id>/discard", endpoint="catalog_discard")
def discard(draft_id: int):  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG_EDIT)
    with get_db().transaction(write=True) as session:
        versions.discard(session, draft_id, user().username)
        audit.record(session, who(), "catalog_edit", detail={"draft": draft_id, "discarded": True})
    return redirect(url_for("workspace.catalog"), 303)


@bp.get("/catalog/diff", endpoint="catalog_diff")
def diff_view():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG)
    old, new = _ref(request.args.get("old")), _ref(request.args.get("new"))
    with get_db().transaction() as session:
        changes = versions.diff(session, old, new)
    return page("catalog_diff.html", diff=changes, old=old, new=new)


def _ref(value: str | None) -> str:
    text = (value or "").strip()
    if not text or len(text) > 40:
        raise ApiError(400, "bad_ref", "name two versions (old, new)", "请选择要比较的两个版本")
    return text


@bp.get("/catalog/export/<ref>.<fmt>", endpoint="catalog_export")
def export(ref: str, fmt: str):  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG)
    if fmt not in ("json", "xlsx"):
        raise WorkspaceError("export as json or xlsx", "只能导出 JSON 或 XLSX", status=404)
    with get_db().transaction(write=True) as session:
        found = versions.catalog_of(session, _ref(ref))
        audit.record(session, who(), "catalog_export", detail={"ref": ref, "format": fmt})
    body = catalog_to_xlsx(found) if fmt == "xlsx" else catalog_to_json(found)
    mimetype = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "application/json"
    )
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="catalog-{ref}.{fmt}"'
    return response


bp.add_app_template_filter(display_value, "catalog_value")
bp.add_app_template_filter(lambda v: TIER_LABELS.get(getattr(v, "value", v), v), "tier_label")
bp.add_app_template_filter(lambda v: FORM_LABELS.get(v, v), "material_form_label")
