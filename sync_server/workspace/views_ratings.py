"""Ratings in the workspace: the 好差评 page, its exports, and the rating at the 回访 call."""

from __future__ import annotations

from flask import Response, redirect, request, url_for
from sqlalchemy import select

from shared_schema import EvaluationStage, RatingReason
from shared_schema.forms import NATIONAL_LEVELS, RATING_REASON_WORDS

from .. import clock
from ..db import get_db
from ..models import Department, Matter, Station
from . import audit, phone_rating, ratings, ratings_export
from .errors import WorkspaceError
from .feedback_scope import CAN_FEEDBACK
from .paperwork import full_names
from .roles import CAN_DECIDE, CITY_WIDE, Role
from .scope import load, may_decide, require_role
from .views_inbox import parse_day
from .web import bp, page, user, who

SHOWN = 200


def _filter() -> ratings.RatingFilter:
    """The page's filters; a department asking for another department's ratings gets 404."""
    args, staff = request.args, user()
    department = args.get("department") or None
    if Role(staff.role) not in CITY_WIDE and Role(staff.role) is not Role.station_staff:
        if department not in (None, staff.department_code):
            raise WorkspaceError("another department's ratings", "未找到该部门的评价", status=404)
        department = staff.department_code
    stage = args.get("stage") if args.get("stage") in {s.value for s in EvaluationStage} else None
    day_from, day_to = parse_day(args.get("from")), parse_day(args.get("to"))
    if day_from and day_to and day_from > day_to:
        raise WorkspaceError("from after to", "起始日期不能晚于截止日期")
    return ratings.RatingFilter(
        department_code=department, matter_code=(args.get("matter") or None),
        station_code=(args.get("station") or None), stage=stage, bad_only=args.get("bad") == "1",
        day_from=day_from, day_to=day_to,
    )  # fmt: skip


@bp.get("/ratings", endpoint="ratings")
def ratings_view():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_FEEDBACK)
    f = _filter()
    dimension = request.args.get("by") if request.args.get("by") in ratings.DIMENSIONS else "matter"
    with get_db().transaction(write=True) as session:
        groups = ratings.summary(session, user(), f, dimension)
        shown = ratings.rows(session, user(), f, SHOWN)
        names = full_names(session, {r.staff for r in shown})
        choices = _choices(session)
        audit.record(session, who(), "ratings", detail={"rows": len(shown), "by": dimension})
    return page("ratings.html", groups=groups, rows=shown, names=names, f=f, by=dimension,
                dimensions=ratings.DIMENSIONS, levels=NATIONAL_LEVELS, stage_words=ratings.STAGE_WORDS,
                channel_words=ratings.CHANNEL_WORDS, rect_words=ratings.rectification_words,
                city_wide=Role(user().role) in CITY_WIDE, args=request.args, **choices)  # fmt: skip


def _choices(session) -> dict[str, list]:  # type: ignore[no-untyped-def, type-arg]
    return {
        "matters": session.execute(select(Matter.code, Matter.name).order_by(Matter.code)).all(),
        "stations": session.execute(select(Station.code, Station.name).order_by(Station.code)).all(),
        "departments": session.execute(
            select(Department.code, Department.name).order_by(Department.code)
        ).all(),
    }


@bp.get("/ratings.<any(xlsx, json):kind>", endpoint="ratings_export")
def ratings_export_view(kind: str) -> Response:
    """好差评 export of the filtered period: a department's own ratings only."""
    require_role(user(), CAN_FEEDBACK)
    f = _filter()
    with get_db().transaction(write=True) as session:
        rows = ratings.every_row(session, user(), f)
        names = full_names(session, {r.staff for r in rows})
        audit.record(session, who(), "ratings_export", detail={"rows": len(rows), "format": kind})
    records = [ratings.export_record(r, names) for r in rows]
    if kind == "json":
        doc = ratings_export.document(records, day_from=f.day_from, day_to=f.day_to,
                                      department_code=f.department_code, exported_at=clock.now())  # fmt: skip
        response = Response(ratings_export.to_json(doc), mimetype="application/json")
    else:
        response = Response(
            ratings_export.to_xlsx(records),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    stamp = f.day_from.isoformat() if f.day_from else "all"
    response.headers["Content-Disposition"] = f'attachment; filename="ratings-{stamp}.{kind}"'
    return response


@bp.post("/submissions/<int:submission_id>/rating", endpoint="phone_rating")
def phone_rating_view(submission_id: int) -> Response:
    """回访: the deciding department records the resident's rating from the phone call."""
    require_role(user(), CAN_DECIDE)
    form = request.form
    score, reasons, comment = phone_rating.parse(
        form.get("score", ""), form.getlist("reason"), form.get("comment", "")
    )
    with get_db().transaction(write=True) as session:
        sub = load(session, user(), submission_id)
        if not may_decide(user(), sub):
            raise WorkspaceError("not this department's case", "未找到该申请", status=404)
        row = phone_rating.record(session, user(), sub, score, reasons, comment, clock.now())
        audit.record(session, who(), "rating_phone", submission_id=sub.id, receipt_no=sub.receipt_no,
                     detail={"score": row.score, "evaluation_uuid": str(row.evaluation_uuid)})  # fmt: skip
    return redirect(url_for("workspace.review", submission_id=submission_id, done="rating"), 303)  # type: ignore[return-value]


def reason_choices() -> list[tuple[str, str]]:
    """The reasons a resident may give, for the 回访 form (same list as the kiosk's)."""
    return [(r.value, RATING_REASON_WORDS[r]) for r in RatingReason]


@bp.context_processor
def _rating_form() -> dict[str, object]:
    return {"rating_reasons": reason_choices, "rating_levels": NATIONAL_LEVELS}
