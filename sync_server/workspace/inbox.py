"""The department inbox: filters, bounded counts and keyset pagination, one query a page.

Rows are ordered newest collection first by ``(collected_at, id)``; the cursor is the
last row's pair, so page 500 costs what page 1 costs (``ix_submissions_ws_*`` indexes).
Matter, station and department names and the latest supplement's time (the correction
notice's clock) come from the same query (no N+1; a test counts the statements). Search by ID number goes
through the keyed digest, never the plaintext column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Row, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from shared_schema import SubmissionState as S
from shared_schema.identifiers import mask_id_number

from ..id_lookup import digest, lookup_key, normalize_identity
from ..models import Department, Matter, Station, Submission
from ..models.submissions import SubmissionLookup
from ..workdays import CHINA_TZ, add_working_days, local_date
from . import history, limits, originals
from .models import StaffUser
from .query import day_range, equal
from .roles import OPEN_STATES, state_label
from .scope import visible

COUNT_CAP = 10_000
# The inbox's channel filter: how a case reached us (Submission.source). Kiosk cases come
# over the network ("api") or on a USB bundle ("bundle"); online ones from the online zone.
CHANNELS = {"online": "网上", "kiosk": "终端"}
RECEIPT = re.compile(r"^[0-9A-Z]{3,16}-[0-9A-Z]{1,8}-\d{8}-\d{4,6}$")
IDENTITY = re.compile(r"^[0-9A-Z]{18}$")


@dataclass(frozen=True)
class InboxFilter:
    department_code: str | None = None
    state: str = "open"  # open | all | a SubmissionState value
    matter_code: str | None = None
    station_code: str | None = None
    day_from: date | None = None
    day_to: date | None = None
    due: str | None = None  # overdue | due_soon (accepted cases by promised deadline)
    incomplete: bool = False  # only cases the kiosk's completeness check found incomplete
    originals_pending: bool = False  # only cases still waiting for a mailed original (originals.py)
    channel: str | None = None  # a CHANNELS key: only cases filed online, or only at a kiosk


@dataclass
class InboxRow:
    id: int
    receipt_no: str
    matter_name: str
    applicant_name: str
    masked_id: str
    station_name: str
    collected_at: datetime
    transfer_due: date
    transferred_late: bool
    promised_due: date | None
    state: str
    state_label: str
    badge: str | None
    deadline_note: str
    notice_due: date | None = None  # the correction-notice deadline, while it runs
    department_name: str = ""
    incomplete: bool = False  # the kiosk's completeness check listed missing materials
    online: bool = False  # filed in the online zone (source "online"), not at a kiosk


@dataclass
class InboxPage:
    rows: list[InboxRow] = field(default_factory=list)
    next_cursor: str | None = None
    total: int = 0
    total_capped: bool = False


def _filtered(user: StaffUser, f: InboxFilter, today: date) -> Select:
    query = select(Submission.id).where(visible(user))
    if f.state == "open":
        query = query.where(Submission.state.in_([s.value for s in OPEN_STATES]))
    elif f.state != "all":
        query = query.where(Submission.state == f.state)
    pairs = [(Submission.department_code, f.department_code), (Submission.matter_code, f.matter_code),
             (Submission.station_code, f.station_code)]  # fmt: skip
    query = query.where(*equal(pairs), *day_range(Submission.collected_at, f.day_from, f.day_to))
    if f.channel is not None:
        online = Submission.source == "online"
        query = query.where(online if f.channel == "online" else ~online)
    if f.incomplete:
        query = query.where(INCOMPLETE)
    if f.originals_pending:
        query = query.where(originals.pending())
    if f.due == "overdue":
        query = query.where(Submission.state == S.accepted.value, Submission.promised_due < today)
    elif f.due == "due_soon":
        soon = add_working_days(today, limits.DUE_SOON_DAYS)
        query = query.where(
            Submission.state == S.accepted.value, Submission.promised_due.between(today, soon)
        )
    return query


# The manifest's own record (SubmissionManifest.completeness.complete), read in SQL on
# SQLite (json_extract) and PostgreSQL (jsonb ->) alike; false only for incomplete cases.
INCOMPLETE = Submission.manifest[("completeness", "complete")].as_boolean().is_(False)


def parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    try:
        micros, ident = (value or "").split("_")
        return datetime.fromtimestamp(int(micros) / 1e6, CHINA_TZ), int(ident)
    except ValueError:
        return None


def make_cursor(moment: datetime, ident: int) -> str:
    return f"{round(moment.timestamp() * 1e6)}_{ident}"


def to_row(found: Row, today: date) -> InboxRow:
    """One row of :func:`select_rows` (the case, its names, its latest supplement's time)."""
    sub, matter_name, station_name, department_name, supplemented_at = found
    badge, note, notice = None, "", None
    if sub.state == S.accepted.value and sub.promised_due:
        badge = limits.badge(sub.promised_due, today)
        overdue = badge == "overdue"
        note = "已超期" if overdue else f"剩 {limits.days_left(sub.promised_due, today)} 个工作日"
    elif sub.state == S.routed.value:
        notice = limits.notice_deadline(history.received_after(sub, supplemented_at))
        badge = limits.badge(notice, today)
        note = f"受理/补正告知期限 {notice:%m-%d}"
    elif sub.state == S.special_stage.value:
        note = "特殊环节，暂停计时"
    identity = sub.applicant_id_number or sub.applicant_uscc or ""
    late = sub.transferred_at is not None and local_date(sub.transferred_at) > sub.transfer_due
    return InboxRow(
        id=sub.id, receipt_no=sub.receipt_no, matter_name=matter_name or sub.matter_code,
        applicant_name=sub.applicant_name, masked_id=mask_id_number(identity),
        station_name=station_name or "",
        collected_at=sub.collected_at, transfer_due=sub.transfer_due, transferred_late=late,
        promised_due=sub.promised_due, state=sub.state, state_label=state_label(sub.state), badge=badge,
        deadline_note=note, notice_due=notice, department_name=department_name or sub.department_code or "",
        incomplete=not (sub.manifest.get("completeness") or {}).get("complete", True),
        online=sub.source == "online",
    )  # fmt: skip


def select_rows(where) -> Select:  # type: ignore[no-untyped-def]
    """The rows :func:`to_row` reads, names and the notice clock's start included: one
    query for a whole page, whatever its length."""
    return (
        select(Submission, Matter.name, Station.name, Department.name, history.last_supplement_at())
        .outerjoin(Matter, Matter.code == Submission.matter_code)
        .outerjoin(Station, Station.code == Submission.station_code)
        .outerjoin(Department, Department.code == Submission.department_code)
        .where(where)
    )


def inbox(
    session: Session, user: StaffUser, f: InboxFilter, cursor: str | None, page_size: int, today: date
) -> InboxPage:
    base = _filtered(user, f, today)
    where = base.whereclause
    query = select_rows(where)
    after = parse_cursor(cursor)
    if after:
        moment, ident = after
        query = query.where(
            Submission.collected_at <= moment,
            or_(
                Submission.collected_at < moment,
                and_(Submission.collected_at == moment, Submission.id < ident),
            ),
        )
    query = query.order_by(Submission.collected_at.desc(), Submission.id.desc()).limit(page_size + 1)
    found = session.execute(query).all()
    page = InboxPage(rows=[to_row(row, today) for row in found[:page_size]])
    if len(found) > page_size:
        last = found[page_size - 1][0]
        page.next_cursor = make_cursor(last.collected_at, last.id)
    capped = base.limit(COUNT_CAP + 1).subquery()
    page.total = min(session.scalar(select(func.count()).select_from(capped)) or 0, COUNT_CAP)
    page.total_capped = page.total >= COUNT_CAP
    return page


def search(session: Session, user: StaffUser, text: str, today: date) -> tuple[str, list[InboxRow]]:
    """``(kind, rows)``: kind is ``receipt``, ``identity`` or ``invalid``; scoped to the user."""
    value = normalize_identity(text or "")
    if RECEIPT.match(value):
        kind, where = "receipt", Submission.receipt_no == value
    elif IDENTITY.match(value):
        key = lookup_key(session.connection())
        ids = select(SubmissionLookup.submission_id).where(SubmissionLookup.id_digest == digest(key, value))
        kind, where = "identity", Submission.id.in_(ids)
    else:
        return "invalid", []
    query = select_rows(and_(where, visible(user))).order_by(Submission.collected_at.desc()).limit(200)
    return kind, [to_row(row, today) for row in session.execute(query).all()]


def filter_choices(session: Session, user: StaffUser) -> dict[str, list[tuple[str, str]]]:
    """Matters and stations for the filter drop-downs (small catalog tables)."""
    matters = session.execute(select(Matter.code, Matter.name).order_by(Matter.code)).all()
    stations = session.execute(select(Station.code, Station.name).order_by(Station.code)).all()
    return {"matters": [tuple(r) for r in matters], "stations": [tuple(r) for r in stations]}


def today_in_china(now: datetime) -> date:
    return local_date(now)
