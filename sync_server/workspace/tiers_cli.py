"""``tongban server catalog tiers …``: the tier review from the command line (5.2, 5.3).

The same service as the workspace's 分级复核 page (``sync_server/tier_review.py``): show the
rules, the cycle and the due date, set them, start a review, decide a proposal with a
reason, close a review into a catalog draft. Changes are audited under the operating-system
user.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click
from pydantic import ValidationError

from tongban_cli.common import emit, fail, json_option

from .. import catalog_tiers as tiers
from .. import tier_review
from ..db import utcnow
from ..errors import ApiError
from ..workdays import local_date
from .catalog_cli import _actor, _audit, _open


@click.group()
def tiers_group() -> None:
    """Frequency tiers from the handling data: rules, reviews, proposals, decisions."""


def _review_dict(session: Any, review: Any) -> dict[str, Any]:
    return {
        "id": review.id,
        "as_of": review.as_of.isoformat(),
        "window": [review.window_start.isoformat(), review.window_end.isoformat()],
        "state": review.state,
        "catalog_version": review.catalog_version,
        "draft": review.draft_id,
        "proposals": [
            {
                "id": p.id,
                "matter": p.matter_code,
                "name": p.matter_name,
                "kind": p.kind,
                "cases": p.cases,
                "current": p.current_tier,
                "proposed": p.proposed_tier,
                "state": p.state,
                "reason": p.reason,
            }
            for p in tier_review.proposals(session, review.id)
        ],
    }


def _review_text(r: dict[str, Any]) -> str:
    lines = [f"review #{r['id']} ({r['state']}) as of {r['as_of']}, catalog {r['catalog_version']}"]
    if r["draft"]:
        lines.append(f"  draft: draft-{r['draft']}")
    for p in r["proposals"]:
        change = f"{p['current'] or '-'} -> {p['proposed'] or '-'}"
        decided = f"{p['state']}: {p['reason']}" if p["reason"] else p["state"]
        lines.append(
            f"  [{p['id']}] {p['matter']} {p['name']}  {p['kind']} {change}  {p['cases']} cases  {decided}"
        )
    if not r["proposals"]:
        lines.append("  no proposals: the data agree with the catalog")
    return "\n".join(lines)


def _run(ctx: click.Context, as_json: bool, work: Any, text: Any = None) -> None:
    try:
        with _open(ctx, as_json).transaction(write=True) as session:
            result = work(session)
    except ApiError as exc:
        fail(exc.message, as_json, error=exc.code)
    emit(result, as_json, text)


@tiers_group.command("rules")
@click.option("--set", "changes", multiple=True, metavar="KEY=VALUE", help="e.g. method=count high_min=50")
@click.option("--cycle-months", type=int, help="months between reviews")
@click.option("--due", help="the next review's due date (YYYY-MM-DD), or 'cycle' to count it from the cycle")
@json_option
@click.pass_context
def rules_cmd(
    ctx: click.Context, changes: tuple[str, ...], cycle_months: int | None, due: str | None, as_json: bool
) -> None:
    """The rules, the review cycle and when the next review is due (and change them)."""

    def work(session: Any) -> dict[str, Any]:
        if changes:
            pairs = dict(change.split("=", 1) for change in changes if "=" in change)
            if len(pairs) != len(changes):
                raise ApiError(400, "bad_rule", "write each change as KEY=VALUE", "规则格式错误")
            data = {**tier_review.rules(session).model_dump(), **pairs}
            if data.get("drop_max") in ("", "none", "None"):
                data["drop_max"] = None
            try:
                new = tiers.TierRules.model_validate(data)
            except ValidationError as exc:
                raise ApiError(400, "bad_rule", str(exc).replace("\n", "; "), "规则无效") from exc
            tier_review.set_rules(session, new)
            _audit(session, "tier_rules", {"rules": new.model_dump(mode="json")})
        if cycle_months is not None:
            tier_review.set_cycle_months(session, cycle_months)
            _audit(session, "tier_rules", {"cycle_months": cycle_months})
        if due is not None:
            tier_review.set_due(session, _due_date(due), local_date(utcnow()))
            _audit(session, "tier_rules", {"due": due})
        return {
            "rules": tier_review.rules(session).model_dump(mode="json"),
            "cycle_months": tier_review.cycle_months(session),
            "next_due": tier_review.next_due(session).isoformat(),
        }

    _run(ctx, as_json, work, lambda r: "\n".join(f"{k}: {v}" for k, v in r.items()))


def _due_date(text: str) -> date | None:
    if text == "cycle":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = "write the due date as YYYY-MM-DD or 'cycle'"
        raise ApiError(400, "bad_due", message, "日期格式错误") from None


@tiers_group.command("review")
@click.option(
    "--as-of", type=click.DateTime(["%Y-%m-%d"]), help="the window ends the day before (default today)"
)
@json_option
@click.pass_context
def review_cmd(ctx: click.Context, as_of: Any, as_json: bool) -> None:
    """Start a review: count the cases, compute tiers, store the proposals."""
    day: date = as_of.date() if as_of else local_date(utcnow())

    def work(session: Any) -> dict[str, Any]:
        review = tier_review.start_review(session, _actor(), day)
        _audit(session, "tier_review", {"review": review.id, "started": True})
        return _review_dict(session, review)

    _run(ctx, as_json, work, _review_text)


@tiers_group.command("show")
@click.argument("review_id", type=int, required=False)
@json_option
@click.pass_context
def show_cmd(ctx: click.Context, review_id: int | None, as_json: bool) -> None:
    """A review and its proposals (default: the open one, else the latest)."""

    def work(session: Any) -> dict[str, Any]:
        if review_id is not None:
            return _review_dict(session, tier_review.get_review(session, review_id))
        review = tier_review.open_review(session) or next(iter(tier_review.reviews(session, 1)), None)
        if review is None:
            raise ApiError(404, "no_such_review", "no tier review yet", "尚无分级复核")
        return _review_dict(session, review)

    _run(ctx, as_json, work, _review_text)


@tiers_group.command("decide")
@click.argument("proposal_id", type=int)
@click.argument("decision", type=click.Choice(["accept", "reject"]))
@click.option("--reason", required=True, help="why (4-500 characters)")
@json_option
@click.pass_context
def decide_cmd(ctx: click.Context, proposal_id: int, decision: str, reason: str, as_json: bool) -> None:
    """Accept or reject one proposal of the open review."""

    def work(session: Any) -> dict[str, Any]:
        p = tier_review.decide(session, proposal_id, decision == "accept", reason, _actor())
        _audit(session, "tier_review", {"review": p.review_id, "matter": p.matter_code, "decision": p.state})
        return {"proposal": p.id, "matter": p.matter_code, "state": p.state}

    _run(ctx, as_json, work, lambda r: f"{r['matter']}: {r['state']}")


@tiers_group.command("close")
@click.argument("review_id", type=int)
@json_option
@click.pass_context
def close_cmd(ctx: click.Context, review_id: int, as_json: bool) -> None:
    """Close a review with nothing pending: the accepted changes become one new draft."""

    def work(session: Any) -> dict[str, Any]:
        review = tier_review.close(session, review_id, _actor())
        _audit(session, "tier_review", {"review": review_id, "draft": review.draft_id})
        return {"review": review_id, "draft": f"draft-{review.draft_id}" if review.draft_id else None}

    _run(ctx, as_json, work, lambda r: f"review {r['review']} closed; draft: {r['draft'] or 'none'}")
