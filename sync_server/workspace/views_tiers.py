"""The tier review pages (standard 5.2, 5.3): handling data → proposals → a catalog draft.

The city administrator sets the rules (counts or percentiles, window), the review cycle and
the next due date, starts a review (the rules and window of the day), accepts or rejects
each proposal with a reason and closes the review, which puts the accepted changes into one
new catalog draft (published from the catalog pages like any other); the auditor reads.
Every step is in the audit log.
"""

from __future__ import annotations

from flask import redirect, request, url_for

from .. import catalog_tiers as tiers
from .. import tier_review
from ..db import get_db, utcnow
from ..workdays import local_date
from . import audit
from .catalog_form import TIER_LABELS
from .errors import WorkspaceError
from .roles import CAN_CATALOG, CAN_CATALOG_EDIT
from .scope import require_role
from .tier_rules_form import RulesForm, form_of, read
from .web import bp, page, user, who


@bp.get("/catalog/tiers", endpoint="catalog_tiers")
def tiers_view():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG)
    return _page()


def _page(status: int = 200, form: RulesForm | None = None):  # type: ignore[no-untyped-def]
    with get_db().transaction() as session:
        review = tier_review.open_review(session)
        past = tier_review.reviews(session)
        shown = review or (past[0] if past else None)
        context = {
            "rules": tier_review.rules(session),
            "cycle": tier_review.cycle_months(session),
            "due": tier_review.next_due(session),
            "review": shown,
            "proposals": tier_review.proposals(session, shown.id) if shown else [],
            "past": past,
            "due_set": tier_review.due_set(session),
        }
    rules_form = form or form_of(context["rules"], context["cycle"], context["due_set"])
    return page(
        "tiers.html",
        status,
        today=local_date(utcnow()),
        kinds=tiers.KIND_LABELS,
        tier_labels=TIER_LABELS,
        can_edit=user().role in CAN_CATALOG_EDIT,
        form=rules_form,
        saved=request.args.get("saved") == "1",
        **context,
    )


@bp.post("/catalog/tiers/rules", endpoint="catalog_tiers_rules")
def save_rules():  # type: ignore[no-untyped-def]
    """The rules, cycle and due date, all or nothing; a bad field comes back beside itself."""
    require_role(user(), CAN_CATALOG_EDIT)
    today = local_date(utcnow())
    change, form = read(request.form, today)
    if change is None:
        return _page(400, form)
    with get_db().transaction(write=True) as session:
        tier_review.set_rules(session, change.rules)
        tier_review.set_cycle_months(session, change.cycle_months)
        tier_review.set_due(session, change.due, today)
        detail = {
            "rules": change.rules.model_dump(mode="json"),
            "cycle_months": change.cycle_months,
            "due": change.due.isoformat() if change.due else None,
        }
        audit.record(session, who(), "tier_rules", detail=detail)
    return redirect(url_for("workspace.catalog_tiers", saved=1) + "#rules", 303)


@bp.post("/catalog/tiers/reviews", endpoint="catalog_tiers_start")
def start():  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG_EDIT)
    with get_db().transaction(write=True) as session:
        review = tier_review.start_review(session, user().username, local_date(utcnow()))
        audit.record(session, who(), "tier_review", detail={"review": review.id, "started": True})
    return redirect(url_for("workspace.catalog_tiers"), 303)


@bp.post("/catalog/tiers/proposals/<int:proposal_id>", endpoint="catalog_tiers_decide")
def decide(proposal_id: int):  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG_EDIT)
    decision = request.form.get("decision")
    if decision not in ("accept", "reject"):
        raise WorkspaceError("decision must be accept or reject", "请选择采纳或不采纳")
    accept = decision == "accept"
    with get_db().transaction(write=True) as session:
        proposal = tier_review.decide(
            session, proposal_id, accept, request.form.get("reason"), user().username
        )
        audit.record(
            session,
            who(),
            "tier_review",
            detail={"review": proposal.review_id, "matter": proposal.matter_code, "decision": proposal.state},
        )
    return redirect(url_for("workspace.catalog_tiers"), 303)


@bp.post("/catalog/tiers/reviews/<int:review_id>/close", endpoint="catalog_tiers_close")
def close(review_id: int):  # type: ignore[no-untyped-def]
    require_role(user(), CAN_CATALOG_EDIT)
    with get_db().transaction(write=True) as session:
        review = tier_review.close(session, review_id, user().username)
        audit.record(session, who(), "tier_review", detail={"review": review_id, "draft": review.draft_id})
        draft_id = review.draft_id
    if draft_id is None:
        return redirect(url_for("workspace.catalog_tiers"), 303)
    return redirect(url_for("workspace.catalog_draft", draft_id=draft_id), 303)
