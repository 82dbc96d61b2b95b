"""The follow pages: my cases, one case (state, deadlines, correction notice, results,
rating), the result download and the rating form. Views parse and answer; ``cases`` reads,
``receive`` decides. Every page is the signed-in applicant's own (404 otherwise).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, redirect, render_template, request, url_for

from shared_schema.forms import NATIONAL_LEVELS, RATING_REASON_WORDS

from ..blobstore import get_store
from ..db import get_db, utcnow
from ..workdays import local_date
from . import bp, cases, receive
from .auth import current_phone, phone_required


def _phone() -> str:
    phone = current_phone()
    assert phone is not None  # phone_required ran
    return phone


@bp.get("/cases", endpoint="cases")
@phone_required
def case_list() -> str:
    with get_db().transaction() as session:
        lines = cases.my_cases(session, _phone())
    return render_template("online/cases.html", lines=lines)


@bp.get("/cases/<receipt_no>", endpoint="case")
@phone_required
def case_page(receipt_no: str) -> str:
    with get_db().transaction() as session:
        sub = cases.owned_case(session, _phone(), receipt_no)
        view = cases.case_view(session, sub, local_date(utcnow()))
        return render_template(
            "online/case.html", case=view, done=request.args.get("done", "")[:20], **rating_choices()
        )


def rating_choices() -> dict[str, object]:
    """The kiosk's five levels and reasons, for every rating form of the online zone."""
    reasons = [(r.value, words) for r, words in RATING_REASON_WORDS.items()]
    return {"levels": NATIONAL_LEVELS, "reasons": reasons}


@bp.get("/cases/<receipt_no>/results/<result_id>", endpoint="case_result")
@phone_required
def case_result(receipt_no: str, result_id: str) -> Response:
    actor = receive.who(request.remote_addr, request.user_agent.string)
    with get_db().transaction(write=True) as session:
        sub = cases.owned_case(session, _phone(), receipt_no, lock=True)
        found = receive.download(session, get_store(), sub, result_id, actor, utcnow())
    response = Response(found.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/cases/<receipt_no>/rating", endpoint="case_rate")
@phone_required
def case_rate(receipt_no: str) -> Response:
    return _rate(receipt_no, receive.rate)


@bp.post("/cases/<receipt_no>/collection-rating", endpoint="case_rate_collection")
@phone_required
def case_rate_collection(receipt_no: str) -> Response:
    return _rate(receipt_no, receive.rate_collection)


def _rate(receipt_no: str, store: Callable[..., object]) -> Response:
    """One rating form (score, reasons, comment) of the signed-in applicant's own case."""
    form = request.form
    with get_db().transaction(write=True) as session:
        sub = cases.owned_case(session, _phone(), receipt_no, lock=True)
        store(session, sub, form.get("score", ""), form.getlist("reason")[:20],
              form.get("comment", "")[:2000], utcnow())  # fmt: skip
    return redirect(url_for("online.case", receipt_no=receipt_no, done="rated"), 303)
