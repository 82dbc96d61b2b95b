"""One case: the review page, its page images, its forms and its result — each view audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Response, request
from sqlalchemy import select

from shared_schema import Matter as MatterModel
from shared_schema import SpecialStage

from ..blobstore import get_store
from ..db import get_db, utcnow
from ..models import Blob, Matter, SubmissionPage
from . import audit, delivery, handovers, history, originals, paperwork
from .closing import archived_flow_card
from .errors import not_found
from .inbox import today_in_china
from .models import CaseResult
from .results import read_bytes
from .review import review_data
from .roles import CAN_REVIEW, Role
from .scope import load, require_role
from .web import bp, page, user, who

DONE = {
    "accept": "已受理。", "correct": "补正告知已发出。", "reject": "已作出不予受理/不予许可决定。",
    "special_start": "特殊环节已开始。", "special_end": "特殊环节已结束。", "complete": "已办结。",
    "deliver": "已送达。", "archive": "已归档。", "original": "原件寄达已确认。",
    "rating": "回访评价已记录。",
}  # fmt: skip


def _require_case_reader() -> None:
    if Role(user().role) is not Role.station_staff:
        require_role(user(), CAN_REVIEW)


@bp.get("/submissions/<int:submission_id>", endpoint="review")
def review(submission_id: int):  # type: ignore[no-untyped-def]
    require_role(user(), CAN_REVIEW)
    return case_page(submission_id, done=DONE.get(request.args.get("done", "")))


def case_page(
    submission_id: int, *, done: str | None = None, error: str | None = None,
    kept: Kept | None = None, status: int = 200,
):  # type: ignore[no-untyped-def]  # fmt: skip
    """The review page, optionally with a refused decision's message and what was typed."""
    today = today_in_china(utcnow())
    with get_db().transaction(write=True) as session:
        sub = load(session, user(), submission_id, full=True)
        data = review_data(session, user(), sub, today)
        matter = session.get(Matter, sub.matter_code)
        expected_originals = originals.expected(session, sub)
        handover, ratings = handovers.handover_of(session, sub), handovers.ratings_of(session, sub)
        audit.record(session, who(), "review", submission_id=sub.id, receipt_no=sub.receipt_no)
    materials = [m.name for m in matter_materials(matter)]
    return page("review.html", status, d=data, sub=sub, done=done, error=error, kept=kept or Kept(),
                special_kinds=[(k.value, history.SPECIAL_LABELS[k.value]) for k in SpecialStage],
                guide_materials=materials, forms=paperwork.FORMS,
                delivery_methods=delivery.methods_for(matter), originals=expected_originals,
                delivery_change=delivery.change_note, handover=handover, ratings=ratings,
                handover_words=handovers.handover_words)  # fmt: skip


@dataclass(frozen=True)
class Kept:
    """A refused decision form's contents, so staff fix the mistake instead of retyping."""

    action: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    items: tuple[str, ...] = ()  # the ticked correction checkboxes

    def value(self, action: str, name: str) -> str:
        return self.fields.get(name, "") if action == self.action else ""

    def ticked(self, action: str, item: str) -> bool:
        return action == self.action and item in self.items


def matter_materials(matter: Matter | None) -> list:  # type: ignore[type-arg]
    if matter is None:
        return []
    return list(MatterModel.model_validate(matter.body).guide.materials)


@bp.get("/submissions/<int:submission_id>/pages/<int:position>", endpoint="page_image")
def page_image(submission_id: int, position: int) -> Response:
    require_role(user(), CAN_REVIEW)
    with get_db().transaction(write=True) as session:
        sub = load(session, user(), submission_id)
        row = session.execute(
            select(SubmissionPage.sha256, Blob.content_type)
            .join(Blob, Blob.sha256 == SubmissionPage.sha256)
            .where(SubmissionPage.submission_id == sub.id, SubmissionPage.position == position)
        ).first()
        if row is None:
            raise not_found()
        audit.record(session, who(), "page_image", submission_id=sub.id, receipt_no=sub.receipt_no,
                     detail={"position": position})  # fmt: skip
    data = read_bytes(get_store(), row.sha256)
    response = Response(data, mimetype=row.content_type)
    response.headers["Content-Disposition"] = "inline"
    return response


def _pdf(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/submissions/<int:submission_id>/forms/<form>.pdf", endpoint="form_pdf")
def form_pdf(submission_id: int, form: str) -> Response:
    _require_case_reader()
    if form not in paperwork.FORMS or (Role(user().role) is Role.station_staff and form != "receipt_notice"):
        raise not_found()
    with get_db().transaction(write=True) as session:
        sub = load(session, user(), submission_id, full=True)
        stored = archived_flow_card(sub) if form == "flow_card" else None
        data = read_bytes(get_store(), stored) if stored else paperwork.render(session, sub, form)
        if data is None:
            raise not_found()
        audit.record(session, who(), "form_pdf", submission_id=sub.id, receipt_no=sub.receipt_no,
                     detail={"form": form, "archived_copy": bool(stored)})  # fmt: skip
    return _pdf(data, f"{form}-{sub.id}.pdf")


@bp.get("/submissions/<int:submission_id>/result.pdf", endpoint="result_pdf")
def result_pdf(submission_id: int) -> Response:
    _require_case_reader()
    with get_db().transaction(write=True) as session:
        sub = load(session, user(), submission_id)
        result = session.scalars(
            select(CaseResult)
            .where(CaseResult.submission_id == sub.id, CaseResult.sha256.is_not(None))
            .order_by(CaseResult.id.desc())
        ).first()
        if result is None or result.sha256 is None:
            raise not_found()
        audit.record(session, who(), "result_pdf", submission_id=sub.id, receipt_no=sub.receipt_no)
    return _pdf(read_bytes(get_store(), result.sha256), f"result-{sub.id}.pdf")
