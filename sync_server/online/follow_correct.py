"""The correction pages: upload the notice's missing items to the SAME case, then send them.

Uploads go through part A's machinery (``views_uploads``: resumable chunks or one form
post, the same size/type/bomb checks, pages stored and queued for a scan); the finisher
for target ``correct:<receipt>:<round>:<item key>`` files the pages under the notice item.
Sending builds the supplement and stores it through the kiosk's supplement path
(``correct.send``). Only the case's own applicant gets anywhere (404 otherwise).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, redirect, render_template, request, url_for

from shared_schema.supplement import CorrectionItem

from ..blobstore import get_store
from ..db import get_db
from ..models import Submission
from ..workspace.errors import WorkspaceError
from . import apply, bp, cases, correct, correction_pages, pages
from .auth import current_phone, phone_required
from .views_uploads import register, whole_file

TARGET = "correct"


def _phone() -> str:
    return current_phone() or ""


def _notice(sub: Submission, round_no: int | None = None) -> cases.Correction:
    """The open notice of ``sub`` (409 when none is open or ``round_no`` is not it)."""
    found = cases.open_correction(sub)
    if found is None or (round_no is not None and round_no != found.round):
        raise WorkspaceError("no open correction for this round", "该申请当前不需要补正材料，请刷新页面", 409)
    return found


def _item(notice: cases.Correction, key: str) -> CorrectionItem:
    for item in notice.items:
        if item.key == key:
            return item
    raise WorkspaceError("not an item of the notice", "补正告知中没有这一项", 400)


def _attach(phone: str, target: str, path: Path) -> dict[str, Any]:
    """Finisher for ``correct:<receipt>:<round>:<key>``: store the pages, queue their scans."""
    _, receipt_no, round_text, key = [*target.split(":", 3), "", "", ""][:4]
    round_no = int(round_text) if round_text.isdigit() else -1
    with get_db().transaction() as session:
        item = _item(_notice(cases.owned_case(session, phone, receipt_no), round_no), key)
    stored = pages.store_pages(path, get_store(), current_app.config["MAX_BLOB_BYTES"])
    with get_db().transaction(write=True) as session:
        sub = cases.owned_case(session, phone, receipt_no, lock=True)
        _notice(sub, round_no)
        jobs = pages.queue_scans(session, phone, stored, item.requirement_code)
        added = correction_pages.add(session, sub.id, round_no, key, stored, jobs)
    return {"pages": len(stored), "added": added, "jobs": jobs}


register(TARGET, _attach)


def _page(receipt_no: str, status: int = 200, error: str | None = None) -> Any:
    with get_db().transaction() as session:
        sub = cases.owned_case(session, _phone(), receipt_no)
        notice = _notice(sub)
        found = correction_pages.states(session, sub.id, notice.round, _phone())
        matter_name = cases.matter_name(session, sub)
    reading = apply.still_reading(found)
    return render_template(
        "online/case_correct.html", sub=sub, notice=notice, found=found, reading=reading, error=error,
        matter_name=matter_name, target=f"{TARGET}:{sub.receipt_no}:{notice.round}",
    ), status  # fmt: skip


@bp.get("/cases/<receipt_no>/correct", endpoint="case_correct")
@phone_required
def case_correct(receipt_no: str) -> Any:
    return _page(receipt_no)


@bp.get("/cases/<receipt_no>/correct/scans", endpoint="case_correct_scans")
@phone_required
def case_correct_scans(receipt_no: str) -> Any:
    """Each uploaded page's scan progress, for the page script's polling."""
    with get_db().transaction() as session:
        sub = cases.owned_case(session, _phone(), receipt_no)
        found = correction_pages.states(session, sub.id, _notice(sub).round, _phone())
    return apply.scan_progress(found)


@bp.post("/cases/<receipt_no>/correct/<key>", endpoint="case_correct_upload")
@phone_required
def case_correct_upload(receipt_no: str, key: str) -> Any:
    """The no-script path: the whole file in one form post, through the same checks."""
    try:
        with get_db().transaction() as session:
            round_no = _notice(cases.owned_case(session, _phone(), receipt_no)).round
        whole_file(_phone(), f"{TARGET}:{receipt_no}:{round_no}:{key[:64]}", request.files.get("file"))
    except WorkspaceError as error:
        if error.status == 404:
            raise
        return _page(receipt_no, error.status, error.message_zh)
    return redirect(url_for("online.case_correct", receipt_no=receipt_no), 303)


@bp.post("/cases/<receipt_no>/correct/pages/<int:page_id>/delete", endpoint="case_correct_delete")
@phone_required
def case_correct_delete(receipt_no: str, page_id: int) -> Any:
    with get_db().transaction(write=True) as session:
        sub = cases.owned_case(session, _phone(), receipt_no, lock=True)
        correction_pages.remove(session, sub.id, _notice(sub).round, page_id)
    return redirect(url_for("online.case_correct", receipt_no=receipt_no), 303)


@bp.post("/cases/<receipt_no>/correct/send", endpoint="case_correct_send")
@phone_required
def case_correct_send(receipt_no: str) -> Any:
    with get_db().transaction() as session:
        answered = cases.open_correction(cases.owned_case(session, _phone(), receipt_no)) is None
    if answered:  # a second tap after the first went through: show the case
        return redirect(url_for("online.case", receipt_no=receipt_no), 303)
    try:
        manifest = _manifest(receipt_no)
    except WorkspaceError as error:
        if error.status == 404:
            raise
        return _page(receipt_no, error.status, error.message_zh)
    correct.send(get_db(), get_store(), _phone(), manifest)
    return redirect(url_for("online.case", receipt_no=receipt_no, done="supplemented"), 303)


def _manifest(receipt_no: str) -> Any:
    with get_db().transaction() as session:
        sub = cases.owned_case(session, _phone(), receipt_no)
        notice = _notice(sub)
        found = correction_pages.states(session, sub.id, notice.round, _phone())
        return correct.build_manifest(sub, notice.round, found)
