"""The public catalog (no login): the published matters by domain and tier, each guide
readable on a phone and printable, with the version and its date (standard 5.4).

Only the catalog is shown, never who published it: the page holds no personal data.
The parsed current version is kept per ETag, so every request does not re-read 150 KB
of JSON.
"""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, Flask, Response, render_template, request

from shared_schema import Catalog

from ..catalog_sync import current_release
from ..db import get_db
from .catalog_form import FORM_LABELS, TIER_LABELS
from .errors import WorkspaceError
from .headers import secure

bp = Blueprint("public_catalog", __name__, url_prefix="/public/catalog")
CSP = (
    "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
TIERS = ("high", "medium", "low")
_parsed: dict[str, Catalog] = {}


def _current() -> tuple[Catalog, str]:
    with get_db().transaction() as session:
        release = current_release(session)
        if release is None:
            raise WorkspaceError("no catalog published", "事项清单尚未发布", status=503)
        etag, body = release.etag, None if release.etag in _parsed else release.body
    if body is not None:
        _parsed.clear()  # one version is current at a time
        _parsed[etag] = Catalog.model_validate_json(body)
    return _parsed[etag], etag


@bp.get("", endpoint="index")
def index():  # type: ignore[no-untyped-def]
    catalog, _ = _current()
    tier = request.args.get("tier")
    if tier is not None and tier not in TIERS:
        raise WorkspaceError("tier is high, medium or low", "频度只能是高频、中频或低频", status=400)
    groups: dict[str, dict[str, list]] = defaultdict(lambda: {t: [] for t in TIERS})
    for matter in catalog.matters:
        if tier is None or matter.frequency.value == tier:
            groups[matter.domain][matter.frequency.value].append(matter)
    return render_template(
        "public/index.html",
        catalog=catalog,
        groups=dict(sorted(groups.items())),
        tiers=TIERS,
        tier=tier,
        tier_labels=TIER_LABELS,
    )


@bp.get("/<code>", endpoint="matter")
def matter(code: str):  # type: ignore[no-untyped-def]
    catalog, _ = _current()
    try:
        found = catalog.matter(code[:40])
    except KeyError:
        raise WorkspaceError(f"no matter {code[:40]}", "清单中没有这个事项", status=404) from None
    counties = {d.code: d.name for d in catalog.divisions}
    return render_template(
        "public/matter.html",
        catalog=catalog,
        matter=found,
        counties=counties,
        tier_labels=TIER_LABELS,
        form_labels=FORM_LABELS,
    )


def _error(error: WorkspaceError) -> tuple[str, int]:
    return render_template("public/error.html", message=error.message_zh), error.status


def _headers(response: Response) -> Response:
    return secure(response, CSP)


def public_pages(blueprint: Blueprint) -> Blueprint:
    """A blueprint of pages anyone may read: this CSP and the public error page."""
    blueprint.after_request(_headers)
    blueprint.register_error_handler(WorkspaceError, _error)
    return blueprint


public_pages(bp)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
