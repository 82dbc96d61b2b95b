"""Tier reviews (standard 5.2, 5.3): handling data → proposals → decisions → a catalog draft.

A review counts the cases per matter in its window (submissions by ``collected_at``),
computes each matter's tier with the rules of the day (``catalog_tiers.py``) and stores the
proposals. The city administrator accepts or rejects each with a reason; when none is
pending, the accepted ones become one new catalog *draft* through ``catalog_versions``
(a published version is never touched), which is then published like any other draft.
Reviews come on a cycle (``tier_review_months``, default 3): the next one is due that many
months after the last review's day, unless the administrator set the next due date
(``tier_review_due``, e.g. to line reviews up with the quarter); starting a review uses
that date up, and the cycle counts from the new review.

Every function leaves the transaction to the caller; failures are :class:`ApiError`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared_schema import Catalog, FrequencyTier

from . import catalog_tiers as tiers
from . import catalog_versions as versions
from .db import utcnow
from .errors import ApiError
from .models import ServerSetting, Submission
from .models.catalog import Matter as MatterRow
from .models.tier_reviews import TierProposal, TierReview

RULES_KEY, CYCLE_KEY, DUE_KEY = "tier_rules", "tier_review_months", "tier_review_due"
DEFAULT_CYCLE_MONTHS = 3
MIN_CYCLE, MAX_CYCLE = 1, 24
OPEN, CLOSED = "open", "closed"
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"


# -- settings ------------------------------------------------------------------------------


def rules(session: Session) -> tiers.TierRules:
    row = session.get(ServerSetting, RULES_KEY)
    return tiers.TierRules.model_validate_json(row.value) if row else tiers.TierRules()


def set_rules(session: Session, new: tiers.TierRules) -> None:
    _put(session, RULES_KEY, new.model_dump_json(exclude_defaults=True))


def cycle_months(session: Session) -> int:
    row = session.get(ServerSetting, CYCLE_KEY)
    return int(row.value) if row else DEFAULT_CYCLE_MONTHS


def set_cycle_months(session: Session, months: int) -> None:
    if not MIN_CYCLE <= months <= MAX_CYCLE:
        raise ApiError(400, "bad_cycle", "the review cycle is 1-24 months", "复核周期应为 1–24 个月")
    _put(session, CYCLE_KEY, str(months))


def set_due(session: Session, day: date | None, today: date) -> None:
    """The next review's due date, set by hand (``None``: from the cycle again); from today
    to 24 months ahead."""
    if day is None:
        row = session.get(ServerSetting, DUE_KEY)
        if row is not None:
            session.delete(row)
        return
    if not today <= day <= add_months(today, MAX_CYCLE):
        raise ApiError(
            400, "bad_due", "the due date is today to 24 months ahead", "截止日期应在今天到 24 个月之内"
        )
    _put(session, DUE_KEY, day.isoformat())


def due_set(session: Session) -> date | None:
    row = session.get(ServerSetting, DUE_KEY)
    return date.fromisoformat(row.value) if row else None


def _put(session: Session, key: str, value: str) -> None:
    row = session.get(ServerSetting, key)
    if row is None:
        session.add(ServerSetting(key=key, value=value))
    else:
        row.value = value


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 → 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def next_due(session: Session) -> date:
    """The date set by hand, else the last review's day plus the cycle; with no review yet,
    the first version's day plus it."""
    chosen = due_set(session)
    if chosen is not None:
        return chosen
    last = session.scalar(select(func.max(TierReview.as_of)))
    if last is None:
        first = min((r.published_on for r in versions.releases(session)), default=None)
        if first is None:
            raise ApiError(409, "no_catalog", "no catalog published yet", "尚未发布事项清单")
        last = first
    return add_months(last, cycle_months(session))


# -- the data ------------------------------------------------------------------------------


def counts(session: Session, window: tiers.Window) -> dict[str, int]:
    """Cases per matter collected in the window (start included, end not)."""
    query = (
        select(Submission.matter_code, func.count())
        .where(Submission.collected_at >= window.start, Submission.collected_at < window.end)
        .group_by(Submission.matter_code)
    )
    return {code: int(n) for code, n in session.execute(query)}


def known_matters(session: Session, catalog: Catalog) -> dict[str, tiers.Known]:
    """The current catalog's matters with their tier, and those that left it (no tier)."""
    known = {m.code: tiers.Known(m.name, m.domain, m.frequency) for m in catalog.matters}
    for row in session.scalars(select(MatterRow).where(MatterRow.code.not_in(list(known)))):
        known[row.code] = tiers.Known(row.name, row.domain, None)
    return known


def compute(session: Session, as_of: date, rule: tiers.TierRules) -> list[tiers.MatterTier]:
    catalog = versions.release_catalog(versions.get_release(session, versions.current_version(session)))
    window = tiers.Window.before(as_of, rule.window_days)
    return tiers.compute(known_matters(session, catalog), counts(session, window), rule)


# -- reviews -------------------------------------------------------------------------------


def open_review(session: Session) -> TierReview | None:
    return session.scalars(select(TierReview).where(TierReview.state == OPEN)).first()


def start_review(session: Session, by: str, as_of: date, rule: tiers.TierRules | None = None) -> TierReview:
    """Compute and keep the proposals; one review is open at a time."""
    if open_review(session) is not None:
        raise ApiError(
            409, "review_open", "a tier review is still open; decide it first", "上一次分级复核尚未完成"
        )
    rule = rule or rules(session)
    window = tiers.Window.before(as_of, rule.window_days)
    rows = compute(session, as_of, rule)
    review = TierReview(
        as_of=as_of,
        window_start=window.start,
        window_end=window.end,
        rules=rule.model_dump(mode="json"),
        catalog_version=versions.current_version(session),
        stats=[_stat(r) for r in rows],
        state=OPEN,
        created_by=by,
        created_at=utcnow(),
    )
    session.add(review)
    set_due(session, None, as_of)  # done: the cycle counts from this review
    session.flush()
    for p in tiers.propose(rows, rule):
        session.add(
            TierProposal(
                review_id=review.id,
                matter_code=p.code,
                matter_name=p.name[:200],
                domain=p.domain[:50],
                kind=p.kind,
                cases=p.cases,
                current_tier=p.current.value if p.current else None,
                proposed_tier=p.proposed.value if p.proposed else None,
                state=PENDING,
            )
        )
    session.flush()
    return review


def _stat(row: tiers.MatterTier) -> dict[str, object]:
    return {
        "code": row.code,
        "name": row.name,
        "domain": row.domain,
        "cases": row.cases,
        "current": row.current.value if row.current else None,
        "computed": row.computed.value,
        "rank_pct": None if row.rank_pct is None else round(row.rank_pct, 1),
    }


def reviews(session: Session, limit: int = 20) -> list[TierReview]:
    return list(session.scalars(select(TierReview).order_by(TierReview.id.desc()).limit(limit)))


def get_review(session: Session, review_id: int) -> TierReview:
    review = session.get(TierReview, review_id)
    if review is None:
        raise ApiError(404, "no_such_review", f"no tier review {review_id}", "没有这次分级复核")
    return review


def proposals(session: Session, review_id: int) -> list[TierProposal]:
    query = select(TierProposal).where(TierProposal.review_id == review_id).order_by(TierProposal.id)
    return list(session.scalars(query))


def decide(session: Session, proposal_id: int, accept: bool, reason: str | None, by: str) -> TierProposal:
    """Accept or reject one pending proposal of an open review, with a reason."""
    text = versions.check_reason(reason)
    proposal = session.scalars(
        select(TierProposal).where(TierProposal.id == proposal_id).with_for_update()
    ).first()
    if proposal is None:
        raise ApiError(404, "no_such_proposal", f"no tier proposal {proposal_id}", "没有这条调整建议")
    if proposal.state != PENDING or get_review(session, proposal.review_id).state != OPEN:
        raise ApiError(
            409, "already_decided", f"proposal {proposal_id} is {proposal.state}", "这条建议已处理"
        )
    proposal.state = ACCEPTED if accept else REJECTED
    proposal.reason, proposal.decided_by, proposal.decided_at = text, by, utcnow()
    return proposal


def close(session: Session, review_id: int, by: str) -> TierReview:
    """No proposal pending: the accepted ones become one new draft (none accepted: no draft)."""
    review = session.scalars(select(TierReview).where(TierReview.id == review_id).with_for_update()).first()
    if review is None:
        raise ApiError(404, "no_such_review", f"no tier review {review_id}", "没有这次分级复核")
    if review.state != OPEN:
        raise ApiError(409, "review_closed", f"review {review_id} is closed", "这次复核已完成")
    items = proposals(session, review_id)
    pending = [p.matter_code for p in items if p.state == PENDING]
    if pending:
        raise ApiError(
            409,
            "proposals_pending",
            f"{len(pending)} proposal(s) still pending",
            f"还有 {len(pending)} 条建议未处理",
            details={"pending": pending[:50]},
        )
    accepted = [p for p in items if p.state == ACCEPTED]
    if accepted:
        review.draft_id = _draft_with(session, accepted, by, review.id).id
    review.state = CLOSED
    session.flush()
    return review


def _draft_with(session: Session, accepted: list[TierProposal], by: str, review_id: int):  # type: ignore[no-untyped-def]
    draft = versions.start_draft(session, by)
    draft.source = f"分级复核 #{review_id}"
    for p in accepted:
        catalog = versions.draft_catalog(draft)
        if p.kind == tiers.DROP:
            versions.remove_matter(session, draft.id, p.matter_code, by)
        elif p.kind == tiers.ADD:
            _add_back(session, draft.id, p, by)
        else:
            matter = catalog.matter(p.matter_code)
            versions.save_matter(
                session, draft.id, matter.model_copy(update={"frequency": FrequencyTier(p.proposed_tier)}), by
            )
    return draft


def _add_back(session: Session, draft_id: int, p: TierProposal, by: str) -> None:
    """The matter as the newest version that had it, handled by the departments that did then."""
    for release in versions.releases(session):
        old = versions.release_catalog(release)
        if p.matter_code not in {m.code for m in old.matters}:
            continue
        matter = old.matter(p.matter_code).model_copy(update={"frequency": FrequencyTier(p.proposed_tier)})
        handlers = {d.code for d in old.departments if p.matter_code in d.matters}
        catalog = versions.draft_catalog(versions.get_draft(session, draft_id))
        departments = [
            d.model_copy(update={"matters": [*d.matters, p.matter_code]}) if d.code in handlers else d
            for d in catalog.departments
        ]
        update = {"departments": departments, "matters": [*catalog.matters, matter]}
        versions.save_catalog(session, draft_id, catalog.model_copy(update=update), by)
        return
    raise ApiError(
        409,
        "matter_unknown",
        f"matter {p.matter_code} is in no published version; add it in the guide editor",
        f"事项 {p.matter_code} 不在任何已发布版本中，请在指南编辑器中添加",
    )
