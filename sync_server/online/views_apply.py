"""The apply pages: choose a matter, read its guide, applicant, materials, check, submit.

Plain forms first (a feature phone's browser submits them without script);
``online.js`` adds chunked, resumable uploads with a progress bar and polls the scans.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from shared_schema.enums import Delivery, EvaluationStage
from shared_schema.submission import DeliveryChoice

from ..blobstore import get_store
from ..db import get_db, utcnow
from ..ingest import ingest_once
from ..models import Submission
from ..workspace import sms
from ..workspace.errors import WorkspaceError
from ..workspace.phone_rating import stage_rating
from . import apply, bp, identity, pages
from .auth import current_phone, phone_required
from .catalog import offered
from .follow import rating_choices
from .views_uploads import register, whole_file

TARGET = "apply"


def _phone() -> str:
    return current_phone() or ""


def _attach(phone: str, target: str, path: Path) -> dict[str, Any]:
    """Finisher for ``apply:<application>:<requirement>``: store the pages, queue their scans."""
    _, app_id, requirement = ([*target.split(":", 2), "", ""])[:3]
    with get_db().transaction() as session:
        row = apply.editable(apply.find(session, app_id, phone))
        matter = offered().matter(row.matter_code)
    if requirement not in {m.code for m in matter.guide.materials}:
        raise WorkspaceError("unknown material", "这份事项没有这项材料", 400)
    stored = pages.store_pages(path, get_store(), current_app.config["MAX_BLOB_BYTES"])
    with get_db().transaction(write=True) as session:
        row = apply.editable(apply.find(session, app_id, phone, lock=True))
        jobs = pages.queue_scans(session, phone, stored, requirement)
        added = apply.add_pages(session, row, requirement, stored, jobs)
    return {"pages": len(stored), "added": added, "jobs": jobs}


register(TARGET, _attach)


@bp.get("/matters", endpoint="matters")
def matters() -> str:
    query = (request.args.get("q") or "")[:40]
    entry = offered()
    hits = [hit.matter for hit in entry.search.search(query, limit=50)]
    return render_template("online/matters.html", matters=hits, q=query)


@bp.get("/matters/<code>", endpoint="guide")
def guide(code: str) -> str:
    entry = offered()
    return render_template("online/guide.html", matter=entry.matter(code), catalog=entry.catalog)


@bp.post("/apply", endpoint="apply_start")
@phone_required
def apply_start() -> Response:
    entry = offered()
    matter = entry.matter(request.form.get("matter") or "")
    with get_db().transaction(write=True) as session:
        row = apply.start(session, _phone(), matter, entry.catalog.version.version)
    return redirect(url_for("online.applicant", app_id=row.id), 303)


def _load(app_id: str) -> tuple[Any, Any]:
    with get_db().transaction() as session:
        row = apply.find(session, app_id, _phone())
    return row, offered().matter(row.matter_code)


@bp.route("/apply/<app_id>/applicant", methods=["GET", "POST"], endpoint="applicant")
@phone_required
def applicant(app_id: str) -> Any:
    row, matter = _load(app_id)
    if row.submitted_at is not None:
        return redirect(url_for("online.done", app_id=row.id), 303)
    counties = [d for d in offered().catalog.divisions if d.level.value == "county"]
    form: dict[str, str] = dict(row.applicant or {})
    if request.method == "POST":
        form = {k: v[:200] for k, v in request.form.items()}
        try:
            person = apply.parse_applicant(form, _phone())
        except WorkspaceError as error:
            return render_template("online/applicant.html", row=row, matter=matter, counties=counties,
                                   form=form, error=error.message_zh), 400  # fmt: skip
        with get_db().transaction(write=True) as session:
            draft = apply.editable(apply.find(session, app_id, _phone(), lock=True))
            draft.applicant = person.model_dump(mode="json")
        return redirect(url_for("online.materials", app_id=row.id), 303)
    return render_template("online/applicant.html", row=row, matter=matter, counties=counties, form=form)


def _materials_page(app_id: str, status: int = 200, error: str | None = None) -> Any:
    row, matter = _load(app_id)
    with get_db().transaction() as session:
        states = apply.page_states(session, row)
    return render_template(
        "online/materials.html", row=row, matter=matter, states=states, error=error,
        reading=apply.still_reading(states), chunk_max=current_app.config["ONLINE_CHUNK_MAX_BYTES"],
    ), status  # fmt: skip


@bp.get("/apply/<app_id>/materials", endpoint="materials")
@phone_required
def materials(app_id: str) -> Any:
    return _materials_page(app_id)


@bp.post("/apply/<app_id>/materials/<requirement>", endpoint="upload_form")
@phone_required
def upload_form(app_id: str, requirement: str) -> Any:
    """The no-script path: the whole file in one form post, through the same checks."""
    try:
        with get_db().transaction() as session:
            apply.editable(apply.find(session, app_id, _phone()))
        whole_file(_phone(), f"{TARGET}:{app_id}:{requirement[:50]}", request.files.get("file"))
    except WorkspaceError as error:
        if error.status == 404:
            raise
        return _materials_page(app_id, error.status, error.message_zh)
    return redirect(url_for("online.materials", app_id=app_id), 303)


@bp.post("/apply/<app_id>/pages/<int:page_id>/delete", endpoint="page_delete")
@phone_required
def page_delete(app_id: str, page_id: int) -> Response:
    with get_db().transaction(write=True) as session:
        row = apply.editable(apply.find(session, app_id, _phone(), lock=True))
        apply.remove_page(session, row, page_id)
    return redirect(url_for("online.materials", app_id=app_id), 303)


@bp.post("/apply/<app_id>/answers", endpoint="answers")
@phone_required
def answers(app_id: str) -> Response:
    _, matter = _load(app_id)
    asked = {m.code for m in matter.guide.materials if m.condition}
    given = {
        code: request.form.get(f"answer_{code}") == "yes"
        for code in asked
        if request.form.get(f"answer_{code}")
    }
    with get_db().transaction(write=True) as session:
        row = apply.editable(apply.find(session, app_id, _phone(), lock=True))
        row.answers = given
    return redirect(url_for("online.materials", app_id=app_id), 303)


@bp.get("/apply/<app_id>/scans", endpoint="scans")
@phone_required
def scans(app_id: str) -> Any:
    """Each page's scan progress, for the page script's polling."""
    row, _ = _load(app_id)
    with get_db().transaction() as session:
        states = apply.page_states(session, row)
    return apply.scan_progress(states)


def _review(app_id: str, status: int = 200, error: str | None = None) -> Any:
    row, matter = _load(app_id)
    if row.submitted_at is not None:
        return redirect(url_for("online.done", app_id=row.id), 303)
    if not row.applicant:
        return redirect(url_for("online.applicant", app_id=row.id), 303)
    entry = offered()
    with get_db().transaction(write=True) as session:
        states = apply.page_states(session, row)
        where = identity.desk(session)
    reading = apply.still_reading(states)
    result = None if reading else apply.check(matter, row, states)
    return render_template(
        "online/review.html", row=row, matter=matter, reading=reading, result=result, error=error,
        promise=apply.promise_text(entry.catalog, matter, row, where),
        choices=apply.delivery_choices(matter), stations=entry.pickup_stations, Delivery=Delivery,
    ), status  # fmt: skip


@bp.get("/apply/<app_id>/review", endpoint="review")
@phone_required
def review(app_id: str) -> Any:
    return _review(app_id)


def _delivery(form: Any, matter: Any, station_codes: set[str]) -> dict[str, Any]:
    method = form.get("delivery") or ""
    if method not in {d.value for d in apply.delivery_choices(matter)}:
        raise WorkspaceError("delivery not offered", "请选择领取结果的方式", 400)
    data: dict[str, Any] = {"method": method}
    if method == Delivery.mail.value:
        data.update(address=(form.get("address") or "").strip()[:200] or None,
                    recipient=(form.get("recipient") or "").strip()[:40] or None)  # fmt: skip
    if method == Delivery.pickup.value:
        station = form.get("station") or ""
        if station not in station_codes:
            raise WorkspaceError("unknown pickup station", "请选择领取结果的服务站", 400)
        data["station_code"] = station
    try:
        return DeliveryChoice.model_validate(data).model_dump(mode="json", exclude_none=True)
    except ValueError:
        raise WorkspaceError("delivery invalid", "邮寄请填写完整的收件地址", 400) from None


def _prepare(session: Any, row: Any, matter: Any, entry: Any, where: identity.OnlineDesk) -> Any:
    """The manifest to ingest, or (status, Chinese reason) when it cannot be submitted yet."""
    states = apply.page_states(session, row)
    if row.receipt_no is not None:  # submitted before (a double tap, a retry): the same manifest
        return apply.manifest(matter, row, states, apply.check(matter, row, states), where, row.submitted_at)
    if apply.still_reading(states):
        return 409, "还有页面正在识别，请稍候再提交"
    result = apply.check(matter, row, states)
    if not result.complete:
        return 409, "材料还不齐全，请按下面的清单补齐后再提交"
    if request.form.get("promise") != "yes":
        return 400, "请阅读并勾选承诺"
    try:
        row.delivery = _delivery(request.form, matter, {s.code for s in entry.catalog.stations})
    except WorkspaceError as error:
        return error.status, error.message_zh
    row.promise_text = apply.promise_text(entry.catalog, matter, row, where)
    row.promise_confirmed_at = utcnow()
    _, at = apply.fix_receipt(session, row, where)
    return apply.manifest(matter, row, states, result, where, at)


@bp.post("/apply/<app_id>/submit", endpoint="submit")
@phone_required
def submit(app_id: str) -> Any:
    """Confirm the promise, choose delivery, submit once (a second tap replays the first)."""
    phone, entry = _phone(), offered()
    with get_db().transaction(write=True) as session:
        row = apply.find(session, app_id, phone, lock=True)
        matter = entry.matter(row.matter_code)
        where = identity.desk(session)
        prepared = _prepare(session, row, matter, entry, where)
    if isinstance(prepared, tuple):
        return _review(app_id, *prepared)
    done = ingest_once(get_db(), get_store(), where.principal, prepared, source="online")
    if done.created:
        with get_db().transaction(write=True) as session:
            case_id = session.scalar(select(Submission.id).where(Submission.receipt_no == done.receipt_no))
            text = (
                f"【市域通办】您的网上申请“{matter.name}”已提交，受理编号{done.receipt_no}，"
                "可凭此编号查询办理进度。"
            )
            sms.queue(session, phone, text, case_id, None)
        sms.dispatch(get_db(), sms.load_sender(current_app.config.get("SMS_SENDER")))
    return redirect(url_for("online.done", app_id=app_id), 303)


@bp.get("/apply/<app_id>/done", endpoint="done")
@phone_required
def done(app_id: str) -> Any:
    row, matter = _load(app_id)
    if row.receipt_no is None:
        return redirect(url_for("online.review", app_id=row.id), 303)
    with get_db().transaction() as session:  # 一次一评: the collection's rating form until rated
        rated = stage_rating(session, row.receipt_no, EvaluationStage.collect) is not None
    return render_template("online/done.html", row=row, matter=matter, rated=rated, **rating_choices())
