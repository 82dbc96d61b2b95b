"""督办看板: three pages of figures (volumes, deadlines, satisfaction and the fleet), each
figure a link to the cases behind it, each list exportable to XLSX.

A department's reviewer or head sees its own cases only (``scope.visible``); the city
administrator and supervisor see the city, and the kiosks. The period is China calendar
days (``from``/``to``, default this year to today, at most ``MAX_DAYS`` long).
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Response, g, request, url_for
from openpyxl import Workbook
from sqlalchemy import func, select

from .. import rectification, tier_review
from ..catalog_sync import current_release
from ..db import get_db, utcnow
from ..errors import ApiError
from ..fleet import kiosk_overview
from ..models import Department, Station, Submission
from ..workdays import CHINA_TZ
from . import audit, dashboard
from .dashboard_charts import bars, stacked
from .dashboard_rows import case_rows
from .errors import WorkspaceError
from .inbox import today_in_china
from .roles import CAN_CATALOG, CAN_DASHBOARD, CITY_WIDE, Role
from .scope import require_role
from .views_inbox import parse_day
from .views_kiosks import SILENT_AFTER
from .web import CSP, bp, page, user, who

MAX_DAYS = 3 * 366
LIST_ROWS = 200
EXPORT_CAP = 50_000
CHART_LABELS = {"transfer": "转报", "notice": "受理/补正告知", "promised": "承诺时限", "delivery": "送达"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(today: date) -> dashboard.Period:
    first = parse_day(request.args.get("from")) or date(today.year, 1, 1)
    last = parse_day(request.args.get("to")) or today
    if first > last or (last - first).days > MAX_DAYS:
        raise WorkspaceError(
            "bad dashboard period", f"统计期间有误：起止日期须有序且不超过 {MAX_DAYS} 天", status=400
        )
    return dashboard.Period(first, last)


def _start() -> tuple[date, dashboard.Period]:
    require_role(user(), CAN_DASHBOARD)
    g.ws_csp = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")  # the inline SVG charts
    today = today_in_china(utcnow())
    return today, _period(today)


def _drill(period: dashboard.Period, **figure: Any) -> str:
    query = {"from": period.first.isoformat(), "to": period.last.isoformat(), **figure}
    return url_for("workspace.dashboard_cases") + "?" + urlencode(query)


def _common(period: dashboard.Period, tab: str) -> dict[str, Any]:
    city = Role(user().role) in CITY_WIDE
    return {"period": period, "tab": tab, "city": city, "review": _review_due() if city else None}


def _review_due() -> dict[str, Any]:
    """When the next frequency-tier review is due (5.3), for the city's view: the day, or
    why there is none (no catalog published yet: no cycle has started)."""
    with get_db().transaction() as session:
        try:
            due = tier_review.next_due(session)
        except ApiError as exc:
            return {"due": None, "why": exc.message_zh}
    return {"due": due, "overdue": due < today_in_china(utcnow()), "link": Role(user().role) in CAN_CATALOG}


@bp.get("/dashboard", endpoint="dashboard")
def overview():  # type: ignore[no-untyped-def]
    _, period = _start()
    with get_db().transaction() as session:
        figures = dashboard.volumes(session, user(), period)
    total = sum(n for _, _, n in figures["channel"])
    panels = []
    for dim, title in dashboard.DIMENSIONS.items():
        rows = [
            (key, label, n, _drill(period, fig="volume", dim=dim, key=key)) for key, label, n in figures[dim]
        ]
        chart = bars(f"按{title}", [(label, n, href) for _, label, n, href in rows]) if rows else None
        panels.append({"dim": dim, "title": title, "rows": rows, "chart": chart})
    return page("dashboard.html", **_common(period, "volumes"), panels=panels, total=total)


@bp.get("/dashboard/deadlines", endpoint="dashboard_deadlines")
def deadlines():  # type: ignore[no-untyped-def]
    today, period = _start()
    with get_db().transaction() as session:
        rates = dashboard.clock_rates(session, user(), period, today)
    links = {
        r.clock: {o: _drill(period, fig="clock", clock=r.clock, outcome=o) for o in dashboard.OUTCOMES}
        for r in rates
    }
    series = [
        (label, [(r.counts[o], links[r.clock][o]) for r in rates]) for o, label in dashboard.OUTCOMES.items()
    ]
    chart = stacked("各时限完成情况（件）", [CHART_LABELS[r.clock] for r in rates], series)
    return page("dashboard_deadlines.html", **_common(period, "deadlines"), rates=rates, links=links,
                outcomes=dashboard.OUTCOMES, chart=chart, today=today)  # fmt: skip


@bp.get("/dashboard/satisfaction", endpoint="dashboard_satisfaction")
def satisfaction():  # type: ignore[no-untyped-def]
    _, period = _start()
    now = utcnow()
    city = Role(user().role) in CITY_WIDE
    with get_db().transaction() as session:
        ratings = dashboard.satisfaction(session, user(), period)
        kiosks = _kiosks(session, now) if city else None
        rectifications = _rectifications(session, now, city)
    links = {
        stage: {s: _drill(period, fig="rating", stage=stage, score=s) for s in range(5, 0, -1)}
        for stage in dashboard.STAGES
    }
    series = [
        (dashboard.STAGES[stage], [(ratings[stage][s], links[stage][s]) for s in range(5, 0, -1)])
        for stage in dashboard.STAGES
    ]
    chart = stacked("评价分布（件）", [SCORE_LABELS[s] for s in range(5, 0, -1)], series)
    summary = {stage: _summary(by_score) for stage, by_score in ratings.items()}
    return page("dashboard_satisfaction.html", **_common(period, "satisfaction"), ratings=ratings,
                links=links, chart=chart, summary=summary, stages=dashboard.STAGES, score_labels=SCORE_LABELS,
                kiosks=kiosks, rectifications=rectifications)  # fmt: skip


SCORE_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


def _summary(by_score: dict[int, int]) -> dict[str, Any]:
    n = sum(by_score.values())
    good = by_score[5] + by_score[4]
    mean = sum(s * k for s, k in by_score.items()) / n if n else None
    return {"n": n, "satisfied": good / n if n else None, "mean": mean}


def _rectifications(session, now, city: bool) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """整改 still open now (h7's ``rectification.open_counts``): the unit's, or the city's by department."""
    mine = None if city else user().department_code
    counts = rectification.open_counts(session, now, department_code=mine)
    by_department = []
    if city:
        names = {code: name for code, name in session.execute(select(Department.code, Department.name))}
        found = rectification.open_counts_by_department(session, now)
        by_department = sorted(((names.get(c, c), n) for c, n in found.items()), key=lambda r: -r[1].open)
    return {"total": counts, "by_department": by_department}


def _kiosks(session, now) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    release = current_release(session)
    current = release.version if release else None
    stations = {a: b for a, b in session.execute(select(Station.code, Station.name))}
    offline, old = [], []
    for row in kiosk_overview(session, None, now):
        if row["revoked"]:
            continue
        row["station_name"] = stations.get(row["station_code"], row["station_code"])
        if row["silent_for_seconds"] is None or row["silent_for_seconds"] > SILENT_AFTER.total_seconds():
            offline.append(row)
        if current and row["catalog_version"] and row["catalog_version"] != current:
            old.append(row)
    return {"offline": offline, "old": old, "current": current, "silent_minutes": SILENT_AFTER.seconds // 60}


# ---- drill-down -----------------------------------------------------------------------


def _figure(session, period: dashboard.Period, today: date) -> tuple[dashboard.Figure, str]:  # type: ignore[no-untyped-def]
    """The figure named in the query string (its cases) and its caption."""
    args = request.args
    try:
        fig = args.get("fig")
        if fig == "volume":
            dim, key = args.get("dim", ""), args.get("key", "")
            names = dashboard.names(session) if dim in dashboard.DIMENSIONS else {}
            label = dashboard.label_of(names, dim, key) if names else key
            caption = f"{dashboard.DIMENSIONS.get(dim, '')}：{label}"
            return dashboard.Figure(dashboard.volume_clause(dim, key)), caption
        if fig == "clock":
            clock, outcome = args.get("clock", ""), args.get("outcome", "")
            figure = dashboard.clock_figure(period, clock, outcome, today)
            return figure, f"{dashboard.CLOCK_LABELS[clock]}：{dashboard.OUTCOMES[outcome]}"
        if fig == "rating":
            stage, score = args.get("stage", ""), args.get("score", type=int) or 0
            return dashboard.Figure(
                dashboard.rating_clause(stage, score)
            ), f"{dashboard.STAGES[stage]}：{SCORE_LABELS[score]}"
    except (dashboard.BadFigure, KeyError) as exc:
        raise WorkspaceError(f"no such figure: {exc}", "看板上没有这项数字", status=400) from None
    raise WorkspaceError("no such figure", "看板上没有这项数字", status=400)


def _query(session, period: dashboard.Period, today: date):  # type: ignore[no-untyped-def]
    """The drill-down's WHERE clause, its number of cases and its caption."""
    figure, caption = _figure(session, period, today)
    where = dashboard.cases(user(), period) & figure.clause
    total = session.scalar(select(func.count()).select_from(Submission).where(where)) or 0
    return where, total, caption


@bp.get("/dashboard/cases", endpoint="dashboard_cases")
def cases_view():  # type: ignore[no-untyped-def]
    today, period = _start()
    with get_db().transaction(write=True) as session:
        where, total, caption = _query(session, period, today)
        rows = case_rows(session, where, LIST_ROWS, total)
        audit.record(session, who(), "dashboard_cases", detail={"rows": len(rows), "figure": caption})
    export = request.full_path.replace("/dashboard/cases?", "/dashboard/cases.xlsx?", 1)
    return page("dashboard_cases.html", **_common(period, "cases"), rows=rows, total=total, caption=caption,
                export=export, shown=len(rows))  # fmt: skip


@bp.get("/dashboard/cases.xlsx", endpoint="dashboard_cases_xlsx")
def cases_export() -> Response:
    today, period = _start()
    with get_db().transaction(write=True) as session:
        where, total, caption = _query(session, period, today)
        if total > EXPORT_CAP:
            too_many = f"共 {total} 件，超过一次导出上限 {EXPORT_CAP} 件，请缩短统计期间"
            raise WorkspaceError("export too large", too_many, status=400)
        rows = case_rows(session, where, EXPORT_CAP, total)
        audit.record(session, who(), "dashboard_export", detail={"rows": len(rows), "figure": caption})
    response = Response(to_xlsx(caption, period, rows), mimetype=XLSX)
    response.headers["Content-Disposition"] = 'attachment; filename="dashboard-cases.xlsx"'
    return response


COLUMNS = (
    "受理编号",
    "办理事项",
    "申请人",
    "证件号码",
    "服务站",
    "办理部门",
    "收件时间",
    "转报期限",
    "承诺期限",
    "办理状态",
)


def to_xlsx(caption: str, period: dashboard.Period, rows: list) -> bytes:  # type: ignore[type-arg]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("看板明细")
    sheet.append([f"{caption}（{period.first} 至 {period.last}，共 {len(rows)} 件）"])
    sheet.append(list(COLUMNS))
    for r in rows:
        sheet.append([
            r.receipt_no, r.matter_name, r.applicant_name, r.masked_id, r.station_name, r.department_name,
            r.collected_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"), r.transfer_due,
            r.promised_due, r.state_label,
        ])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
