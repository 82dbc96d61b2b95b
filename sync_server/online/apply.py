"""The online application as a service: draft, applicant, pages, check, manifest, submit.

Views parse and answer; this decides. The completeness check is the kiosk's own
(``kiosk.scan.completeness.check_completeness``) over the scan results of the pages the
resident uploaded for each required material; the department named in the promise is
the one the kiosk would name (``kiosk.visit.department``). The submission is a
``SubmissionManifest`` with ``channel="online"``, collected by the city's virtual online
desk (``identity``) and ingested by the same exactly-once ``ingest_once`` as a kiosk's,
with ``source="online"``.
"""

from __future__ import annotations

import secrets
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.scan.completeness import check_completeness
from kiosk.scan.types import PageResult, Problem
from kiosk.visit.department import department_name
from shared_schema import Applicant, CompletenessResult, Matter, SubmissionManifest
from shared_schema.bounds import CODE_LEN, INT32_MAX, MESSAGE_LEN, OCR_TEXT_LEN
from shared_schema.enums import Delivery
from shared_schema.forms import promise_statement

from ..db import utcnow
from ..scan_jobs import ScanJobView, job_view
from ..workspace.errors import WorkspaceError
from .identity import OnlineDesk, next_receipt_no
from .models import Application, ApplicationPage
from .pages import StoredPage, owner_of

ID_LEN = 32
MAX_PAGES_PER_MATERIAL = 20
# what an online resident may choose, in this order, when the matter allows it
DELIVERY_LABELS = {
    Delivery.online: "网上领取电子结果",
    Delivery.mail: "邮寄到指定地址",
    Delivery.pickup: "到指定服务站领取",
}


@dataclass(frozen=True)
class PageState:
    page: ApplicationPage
    scan: ScanJobView | None


def start(session: Session, phone: str, matter: Matter, catalog_version: str) -> Application:
    row = Application(
        id=secrets.token_urlsafe(18), phone=phone, matter_code=matter.code, catalog_version=catalog_version,
        client_uuid=uuid.uuid4(), answers={},
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def find(session: Session, app_id: str, phone: str, *, lock: bool = False) -> Application:
    """The phone's own application, or 404 (another's looks exactly like none)."""
    if not app_id or len(app_id) > ID_LEN:
        raise WorkspaceError("no such application", "找不到这份申请", 404)
    query = select(Application).where(Application.id == app_id, Application.phone == phone)
    row = session.scalars(query.with_for_update() if lock else query).first()
    if row is None:
        raise WorkspaceError("no such application", "找不到这份申请", 404)
    return row


def editable(row: Application) -> Application:
    if row.submitted_at is not None:
        raise WorkspaceError("already submitted", "这份申请已经提交，不能再修改", 409)
    return row


def parse_applicant(form: dict[str, str], phone: str) -> Applicant:
    """The applicant as the kiosk validates it; the phone is always the signed-in one."""
    data: dict[str, Any] = {
        k: (form.get(k) or "").strip() or None
        for k in ("kind", "name", "id_number", "uscc", "legal_representative", "address", "home_division")
    }
    data["phone"] = phone
    if data["id_number"]:
        data["id_number"] = data["id_number"].upper()
    if data["uscc"]:
        data["uscc"] = data["uscc"].upper()
    try:
        return Applicant.model_validate(data)
    except ValidationError as exc:
        fields = {str(e["loc"][0]) if e["loc"] else "" for e in exc.errors()}
        raise WorkspaceError(
            f"applicant invalid: {sorted(fields)}", _applicant_message(fields), 400
        ) from None


_FIELD_NAMES = {
    "kind": "申请人类型",
    "name": "姓名或名称",
    "id_number": "身份证号码",
    "uscc": "统一社会信用代码",
    "legal_representative": "法定代表人",
    "address": "地址",
    "home_division": "户籍或登记所在地",
}


def _applicant_message(fields: set[str]) -> str:
    named = [label for key, label in _FIELD_NAMES.items() if key in fields]
    return (
        "请核对：" + "、".join(named)
        if named
        else "申请人信息不完整：个人请填写身份证号码，企业请填写统一社会信用代码"
    )


def add_pages(
    session: Session, row: Application, requirement: str, pages: list[StoredPage], jobs: list[str]
) -> int:
    """Attach uploaded pages to a material (a page sent twice is kept once); returns how many are new."""
    have = set(
        session.scalars(
            select(ApplicationPage.sha256).where(
                ApplicationPage.application_id == row.id, ApplicationPage.requirement_code == requirement
            )
        )
    )
    if len(have) + len(pages) > MAX_PAGES_PER_MATERIAL:
        raise WorkspaceError("too many pages", f"每份材料最多{MAX_PAGES_PER_MATERIAL}页", 413)
    new = [(p, job) for p, job in zip(pages, jobs, strict=True) if p.sha256 not in have]
    for page, job in new:
        session.add(
            ApplicationPage(application_id=row.id, requirement_code=requirement, sha256=page.sha256,
                            content_type=page.content_type, size=page.size, width=page.width,
                            height=page.height, job_id=job)
        )  # fmt: skip
    session.flush()
    return len(new)


def remove_page(session: Session, row: Application, page_id: int) -> None:
    page = session.get(ApplicationPage, page_id) if 0 < page_id <= INT32_MAX else None
    if page is None or page.application_id != row.id:
        raise WorkspaceError("no such page", "找不到这一页", 404)
    session.delete(page)


def page_states(session: Session, row: Application) -> dict[str, list[PageState]]:
    """Each material's pages in upload order, with what its scan says so far."""
    found: dict[str, list[PageState]] = defaultdict(list)
    owner = owner_of(row.phone)
    for page in session.scalars(
        select(ApplicationPage).where(ApplicationPage.application_id == row.id).order_by(ApplicationPage.id)
    ):
        found[page.requirement_code].append(PageState(page, job_view(session, page.job_id, owner)))
    return dict(found)


def still_reading(states: dict[str, list[PageState]]) -> int:
    return sum(
        1
        for pages in states.values()
        for s in pages
        if s.scan is None or s.scan.state in ("queued", "running")
    )


def scan_progress(states: dict[str, list[PageState]]) -> dict[str, Any]:
    """What the page script polls: how many pages are still being read, and each page's scan."""
    return {
        "reading": still_reading(states),
        "pages": [
            {"id": s.page.id, "requirement": code, **(s.scan.to_dict() if s.scan else {"state": "missing"})}
            for code, found in states.items()
            for s in found
        ],
    }


def page_result(state: PageState) -> PageResult:
    """A page's scan as the kiosk's ``PageResult`` (what the completeness checks read)."""
    scan = state.scan
    if scan is None or scan.state != "done" or scan.result is None:
        return PageResult(
            state.page.sha256, ok=False, problems=[Problem("scan_failed", "识别没有完成，请重新上传")]
        )
    result = scan.result
    problems = [Problem(p.get("code", ""), p.get("message", "")) for p in result.get("problems", [])]
    return PageResult(
        state.page.sha256, ok=bool(result.get("ok")), problems=problems, fields=result.get("fields") or {}
    )


def check(matter: Matter, row: Application, states: dict[str, list[PageState]]) -> CompletenessResult:
    """The kiosk's formal check: every missing or unreadable thing at once (一次性告知)."""
    pages = {code: [page_result(s) for s in found] for code, found in states.items()}
    applicant = Applicant.model_validate(row.applicant) if row.applicant else None
    return check_completeness(matter, pages, applicant, row.answers or {})


def promise_text(catalog: Any, matter: Matter, row: Application, where: OnlineDesk) -> str:
    applicant = Applicant.model_validate(row.applicant)
    dept = department_name(catalog, matter, applicant.home_division, where.station_code)
    return promise_statement(applicant.kind.value, dept, matter.name)


def delivery_choices(matter: Matter) -> dict[Delivery, str]:
    allowed = set(matter.delivery_options)
    if Delivery.electronic in allowed:
        allowed.add(Delivery.online)
    return {kind: label for kind, label in DELIVERY_LABELS.items() if kind in allowed}


def page_record(state: PageState) -> dict[str, Any]:
    """A page and its scan as the manifest's ``PageRecord`` fields (bounded as the schema wants)."""
    page, result = state.page, (state.scan.result if state.scan else None) or {}
    fields = {
        str(k)[:CODE_LEN]: str(v)[:MESSAGE_LEN] for k, v in list((result.get("fields") or {}).items())[:100]
    }
    confidence = result.get("ocr_confidence")
    return {
        "sha256": page.sha256, "size": page.size, "content_type": page.content_type,
        "width": page.width, "height": page.height, "ocr_text": (result.get("text") or "")[:OCR_TEXT_LEN],
        "ocr_confidence": None if confidence is None else max(0.0, min(100.0, float(confidence))),
        "fields": fields,
    }  # fmt: skip


def manifest(
    matter: Matter, row: Application, states: dict[str, list[PageState]], result: CompletenessResult,
    where: OnlineDesk, at: datetime,
) -> SubmissionManifest:  # fmt: skip
    """The manifest a kiosk would send, with ``channel="online"``; receipt number and time
    are fixed on the draft the first time, so every later call builds the same one."""
    materials = [
        {"requirement_code": req.code, "name": req.name, "pages": [page_record(s) for s in states[req.code]]}
        for req in matter.guide.materials
        if states.get(req.code)
    ]
    assert row.promise_confirmed_at is not None and row.receipt_no is not None
    return SubmissionManifest.model_validate(
        {
            "client_uuid": row.client_uuid, "receipt_no": row.receipt_no, "kiosk_id": where.kiosk_id,
            "station_code": where.station_code, "created_at": at, "matter_code": matter.code,
            "catalog_version": row.catalog_version, "applicant": row.applicant, "materials": materials,
            "answers": row.answers or {}, "completeness": result.model_dump(mode="json"),
            "delivery": row.delivery, "promise": {
                "text": row.promise_text, "confirmed": True, "confirmed_at": row.promise_confirmed_at
            },
            "channel": "online",
        }
    )  # fmt: skip


def fix_receipt(session: Session, row: Application, where: OnlineDesk) -> tuple[str, datetime]:
    """The draft's receipt number and submission time, issued once (a retry reuses them)."""
    if row.receipt_no is None:
        row.submitted_at = utcnow()
        row.receipt_no = next_receipt_no(session, where, row.submitted_at)
    assert row.submitted_at is not None
    return row.receipt_no, row.submitted_at
