"""Build a finalized submission from files, for ``tongban kiosk submit`` and scripts.

The Kivy visit builds its manifest from the resident's session; this is the headless
path staff and tests use. The completeness check is the scan helper's
``kiosk.scan.completeness.check`` when that module exists, else the simple
required-materials check below (same result type, so swapping is one import).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from shared_schema import (
    Catalog,
    CompletenessResult,
    Matter,
    SubmissionManifest,
)
from shared_schema.forms import PROMISE_TEMPLATE

from .store.drafts import Draft
from .store.identity import KioskIdentity

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "TIFF": "image/tiff"}


@dataclass
class PageFile:
    """One page image read from disk, with what the manifest records about it."""

    data: bytes
    sha256: str
    content_type: str
    width: int
    height: int

    @classmethod
    def read(cls, path: Path) -> PageFile:
        from PIL import Image  # the scan extra; only needed when pages come from files

        data = Path(path).read_bytes()
        try:
            with Image.open(BytesIO(data)) as img:
                fmt, (width, height) = img.format or "", img.size
        except Exception as exc:
            raise ValueError(f"{path}: not an image ({exc})") from None
        if fmt not in CONTENT_TYPES:
            raise ValueError(f"{path}: unsupported image format {fmt or '?'} (JPEG, PNG, WEBP, TIFF)")
        return cls(data, hashlib.sha256(data).hexdigest(), CONTENT_TYPES[fmt], width, height)

    def record(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": len(self.data),
            "content_type": self.content_type,
            "width": self.width,
            "height": self.height,
        }


def simple_completeness(
    matter: Matter, page_counts: dict[str, int], answers: dict[str, bool]
) -> CompletenessResult:
    """Every always-required material (and every conditional one answered yes) has pages."""
    issues = []
    for req in matter.guide.materials:
        needed = req.required or bool(req.condition and answers.get(req.code))
        have = page_counts.get(req.code, 0)
        if needed and have < req.min_pages:
            issues.append(
                {
                    "code": "missing_material" if have == 0 else "too_few_pages",
                    "material_code": req.code,
                    "message": f"缺少材料：{req.name}"
                    if have == 0
                    else f"{req.name}页数不足（至少{req.min_pages}页）",
                }
            )
    return CompletenessResult.parse({"complete": not issues, "issues": issues})


def check_completeness(
    matter: Matter, page_counts: dict[str, int], answers: dict[str, bool]
) -> CompletenessResult:
    try:
        from kiosk.scan.completeness import check  # type: ignore[attr-defined]
    except ImportError:
        return simple_completeness(matter, page_counts, answers)
    try:
        return check(matter, page_counts, answers)
    except TypeError:  # its signature differs: keep the simple check rather than fail a submit
        return simple_completeness(matter, page_counts, answers)


def assign_pages(
    matter: Matter, loose: list[PageFile], explicit: dict[str, list[PageFile]]
) -> dict[str, list[PageFile]]:
    """Loose pages fill the guide's required materials in order (min_pages each); any left
    over go to the last of them. Explicit ``CODE=FILE`` pages go where they say."""
    result = {code: list(pages) for code, pages in explicit.items()}
    targets = [r for r in matter.guide.materials if r.required and r.code not in explicit]
    queue = list(loose)
    for req in targets:
        if not queue:
            break
        take, queue = queue[: req.min_pages], queue[req.min_pages :]
        result.setdefault(req.code, []).extend(take)
    if queue:
        last = targets[-1].code if targets else matter.guide.materials[-1].code
        result.setdefault(last, []).extend(queue)
    return result


def department_name(catalog: Catalog, matter: Matter, home_division: str, station_code: str) -> str:
    try:
        from kiosk.visit.department import department_name as visit_department_name
    except ImportError:
        return matter.guide.implementing_body
    return visit_department_name(catalog, matter, home_division, station_code)


def build_manifest(
    catalog: Catalog,
    matter: Matter,
    identity: KioskIdentity,
    draft: Draft,
    applicant: dict[str, Any],
    pages: dict[str, list[PageFile]],
    delivery: dict[str, Any],
    answers: dict[str, bool] | None = None,
    now: datetime | None = None,
) -> SubmissionManifest:
    answers = answers or {}
    now = now or datetime.now(UTC)
    names = {r.code: r for r in matter.guide.materials}
    unknown = sorted(set(pages) - set(names))
    if unknown:
        raise ValueError(f"matter {matter.code} has no material(s) {', '.join(unknown)}")
    materials = [
        {
            "requirement_code": code,
            "name": names[code].name,
            "count": names[code].copies,
            "pages": [p.record() for p in files],
        }
        for code, files in pages.items()
        if files
    ]
    completeness = check_completeness(matter, {c: len(f) for c, f in pages.items()}, answers)
    department = department_name(
        catalog, matter, str(applicant.get("home_division", "")), identity.station_code
    )
    body = {
        "client_uuid": draft.client_uuid,
        "receipt_no": draft.receipt_no,
        "kiosk_id": identity.kiosk_id,
        "station_code": identity.station_code,
        "created_at": now.isoformat(),
        "matter_code": matter.code,
        "catalog_version": catalog.version.version,
        "applicant": applicant,
        "materials": materials,
        "answers": answers,
        "completeness": completeness.to_json_dict(),
        "delivery": delivery,
        "promise": {
            "text": PROMISE_TEMPLATE.format(department=department, matter=matter.name),
            "confirmed": True,
            "confirmed_at": now.isoformat(),
        },
    }
    return SubmissionManifest.parse(body, context=f"submission {draft.receipt_no}")
