"""Frequency tiers from the handling data (issue 14, standard 5.2, 5.3): rules with known
answers, the window's edges on real rows, proposals → decisions → a new draft."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from flask import Flask
from pydantic import ValidationError
from sqlalchemy import delete

from shared_schema import FrequencyTier
from sync_server import catalog_tiers as tiers
from sync_server import catalog_versions as versions
from sync_server import tier_review
from sync_server.db import get_db, utcnow
from sync_server.errors import ApiError
from sync_server.models import Submission, TierProposal, TierReview
from sync_server.workdays import local_date
from tongban_cli.main import cli

from .factories import CITY_MATTER, ENTRUSTED_MATTER, HOME_MATTER, ORPHAN_MATTER
from .test_catalog_versions import BASE, _only_the_test_catalog

H, M, L = FrequencyTier.high, FrequencyTier.medium, FrequencyTier.low
AS_OF = date(2026, 10, 1)


def known(spec: dict[str, tuple[str, FrequencyTier | None]]) -> dict[str, tiers.Known]:
    return {code: tiers.Known(f"事项{code}", domain, tier) for code, (domain, tier) in spec.items()}


def test_percentile_rule_ranks_against_the_other_matters() -> None:
    matters = known({c: ("社保", M) for c in "ABCDE"})
    counts = {"A": 0, "B": 10, "C": 20, "D": 30, "E": 40}
    rows = {r.code: r for r in tiers.compute(matters, counts, tiers.TierRules())}  # 80 / 40
    # others below: A 0/4, B 1/4, C 2/4, D 3/4, E 4/4
    assert [rows[c].rank_pct for c in "ABCDE"] == [0.0, 25.0, 50.0, 75.0, 100.0]
    assert [rows[c].computed for c in "ABCDE"] == [L, L, M, M, H]
    ties = {r.code: r for r in tiers.compute(matters, {c: 7 for c in "ABCDE"}, tiers.TierRules())}
    assert {r.rank_pct for r in ties.values()} == {0.0}  # nobody has fewer: all low
    proposals = {p.code: p.kind for p in tiers.propose(list(rows.values()), tiers.TierRules())}
    assert proposals == {"A": "demote", "B": "demote", "E": "promote"}


def test_percentile_by_domain_ranks_within_each_domain() -> None:
    matters = known(
        {"A": ("社保", L), "B": ("社保", L), "C": ("医保", L), "D": ("医保", L), "Z": ("户政", L)}
    )
    counts = {"A": 100, "B": 200, "C": 1, "D": 2}
    city = {r.code: r.computed for r in tiers.compute(matters, counts, tiers.TierRules())}
    assert city == {"A": M, "B": H, "C": L, "D": M, "Z": L}  # A 3/4, B 4/4, C 1/4, D 2/4, Z 0
    rules = tiers.TierRules(by_domain=True)
    by_domain = {r.code: (r.rank_pct, r.computed) for r in tiers.compute(matters, counts, rules)}
    assert by_domain == {"A": (0.0, L), "B": (100.0, H), "C": (0.0, L), "D": (100.0, H), "Z": (100.0, H)}


def test_count_rule_thresholds_drop_and_add() -> None:
    rules = tiers.TierRules(method="count", high_min=50, medium_min=10, drop_max=0, add_min=10)
    matters = known({"A": ("x", L), "B": ("x", H), "C": ("x", M), "D": ("x", H), "OLD": ("x", None)})
    counts = {"A": 50, "B": 49, "C": 10, "D": 0, "OLD": 10, "NOBODY": 99}
    rows = {r.code: r.computed for r in tiers.compute(matters, counts, rules)}
    assert rows == {"A": H, "B": M, "C": M, "D": L, "OLD": M}  # NOBODY: unknown, ignored
    proposals = {p.code: (p.kind, p.proposed) for p in tiers.propose(list(
        tiers.compute(matters, counts, rules)), rules)}  # fmt: skip
    assert proposals == {"A": ("promote", H), "B": ("demote", M), "D": ("drop", None), "OLD": ("add", M)}
    below = {p.code for p in tiers.propose(tiers.compute(matters, {**counts, "OLD": 9}, rules), rules)}
    assert "OLD" not in below


def test_rules_are_bounded() -> None:
    for bad in ({"window_days": 0}, {"method": "count", "high_min": 5, "medium_min": 6},
                {"high_pct": 30, "medium_pct": 40}, {"extra": 1}, {"method": "median"}):  # fmt: skip
        with pytest.raises(ValidationError):
            tiers.TierRules.model_validate(bad)


@pytest.fixture
def tier_app(app: Flask) -> Iterator[Flask]:
    _clean(app)
    yield app
    _clean(app)


def _clean(app: Flask) -> None:
    with get_db(app).transaction(write=True) as session:
        session.execute(delete(TierProposal))
        session.execute(delete(TierReview))
    _only_the_test_catalog(app)


def add_cases(app: Flask, matter: str, moments: list, seq: list[int] = [0]) -> None:  # noqa: B006
    """Handling data: submissions collected at the given moments (only what the count reads)."""
    with get_db(app).transaction(write=True) as session:
        for at in moments:
            seq[0] += 1
            n = seq[0]
            session.add(Submission(
                client_uuid=uuid.uuid4(), receipt_no=f"ST01-K01-20260101-{n:06d}", station_code=None,
                matter_code=matter, catalog_version=BASE, applicant_kind="person",
                applicant_name="申请人", applicant_phone="13800138000", home_division="140521200201",
                delivery_method="pickup", manifest={}, content_digest="0" * 64, state="received",
                ack_body="{}", collected_at=at, received_at=at, transfer_due=at.date(),
            ))  # fmt: skip


def test_the_window_counts_its_first_instant_and_not_its_end(tier_app: Flask) -> None:
    window = tiers.Window.before(AS_OF, 30)
    second = timedelta(seconds=1)
    assert (
        window.end.isoformat() == "2026-10-01T00:00:00+08:00" and window.label() == "2026-09-01 – 2026-09-30"
    )
    add_cases(tier_app, HOME_MATTER, [window.start - second, window.start, window.end - second, window.end])
    with get_db(tier_app).transaction() as session:
        assert tier_review.counts(session, window) == {HOME_MATTER: 2}
        rule = tiers.TierRules(method="count", window_days=30, high_min=3, medium_min=2)
        rows = {r.code: (r.cases, r.computed) for r in tier_review.compute(session, AS_OF, rule)}
    assert rows == {HOME_MATTER: (2, M), ENTRUSTED_MATTER: (0, L), CITY_MATTER: (0, L), ORPHAN_MATTER: (0, L)}


RULE = tiers.TierRules(method="count", window_days=90, high_min=25, medium_min=8, drop_max=0, add_min=20)


def _in_window(n: int, as_of: date = AS_OF) -> list:
    start = tiers.Window.before(as_of, 90).start
    return [start + timedelta(hours=7 * i) for i in range(n)]


def test_accepted_proposals_become_one_new_draft_and_the_published_version_stays(tier_app: Flask) -> None:
    app = tier_app
    add_cases(app, HOME_MATTER, _in_window(30))
    add_cases(app, ENTRUSTED_MATTER, _in_window(10))
    add_cases(app, ORPHAN_MATTER, _in_window(5))
    with get_db(app).transaction(write=True) as session:
        review = tier_review.start_review(session, "admin", AS_OF, RULE)
        found = {
            p.matter_code: (p.kind, p.proposed_tier, p.cases)
            for p in tier_review.proposals(session, review.id)
        }
        ids = {p.matter_code: p.id for p in tier_review.proposals(session, review.id)}
        review_id = review.id
    assert found == {ENTRUSTED_MATTER: ("demote", "medium", 10), CITY_MATTER: ("drop", None, 0),
                     ORPHAN_MATTER: ("demote", "low", 5)}  # fmt: skip
    with get_db(app).transaction(write=True) as session, pytest.raises(ApiError) as again:
        tier_review.start_review(session, "admin", AS_OF, RULE)
    assert again.value.code == "review_open"
    with get_db(app).transaction(write=True) as session:
        tier_review.decide(session, ids[ENTRUSTED_MATTER], True, "近一季度办件量下降", "admin")
        tier_review.decide(session, ids[CITY_MATTER], True, "一季度无人办理", "admin")
    with get_db(app).transaction(write=True) as session, pytest.raises(ApiError) as pending:
        tier_review.close(session, review_id, "admin")
    assert pending.value.code == "proposals_pending" and pending.value.details == {"pending": [ORPHAN_MATTER]}
    with get_db(app).transaction(write=True) as session, pytest.raises(ApiError) as no_reason:
        tier_review.decide(session, ids[ORPHAN_MATTER], False, " ", "admin")
    assert no_reason.value.code == "reason_required"
    with get_db(app).transaction(write=True) as session:
        tier_review.decide(session, ids[ORPHAN_MATTER], False, "分流事项，保留高频便于引导", "admin")
        with pytest.raises(ApiError) as twice:
            tier_review.decide(session, ids[ORPHAN_MATTER], True, "改变主意了", "admin")
        assert twice.value.code == "already_decided"
        draft_id = tier_review.close(session, review_id, "admin").draft_id
    assert draft_id is not None
    with get_db(app).transaction(write=True) as session:
        draft = versions.get_draft(session, draft_id)
        assert draft.source == f"分级复核 #{review_id}" and draft.based_on == BASE
        catalog = versions.draft_catalog(draft)
        assert {m.code: m.frequency for m in catalog.matters} == {
            HOME_MATTER: H,
            ENTRUSTED_MATTER: M,
            ORPHAN_MATTER: H,
        }
        assert all(CITY_MATTER not in d.matters for d in catalog.departments)
        published = versions.release_catalog(versions.get_release(session, BASE))
        assert {m.code: m.frequency for m in published.matters}[ENTRUSTED_MATTER] == H  # untouched
        assert versions.current_version(session) == BASE
        version = versions.publish(session, draft_id, "admin", "分级复核结果", date(2026, 10, 9)).version
    # the next quarter: the dropped matter is still asked for (an offline kiosk): add it back
    later = date(2027, 1, 1)
    add_cases(app, CITY_MATTER, _in_window(21, later))
    with get_db(app).transaction(write=True) as session:
        assert tier_review.next_due(session) == date(2027, 1, 1)
        review = tier_review.start_review(session, "admin", later, RULE)
        add = {p.matter_code: p for p in tier_review.proposals(session, review.id)}[CITY_MATTER]
        assert (add.kind, add.proposed_tier, add.current_tier) == ("add", "medium", None)
        tier_review.decide(session, add.id, True, "群众仍有需求", "admin")
        for p in tier_review.proposals(session, review.id):
            if p.state == tier_review.PENDING:
                tier_review.decide(session, p.id, False, "暂不调整", "admin")
        draft = versions.get_draft(session, tier_review.close(session, review.id, "admin").draft_id)
        catalog = versions.draft_catalog(draft)
        assert catalog.matter(CITY_MATTER).frequency == M and draft.based_on == version
        assert any(CITY_MATTER in d.matters for d in catalog.departments)


def test_review_cycle_and_due_date(tier_app: Flask) -> None:
    assert tier_review.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    with get_db(tier_app).transaction(write=True) as session:
        first = min(r.published_on for r in versions.releases(session))
        assert tier_review.next_due(session) == tier_review.add_months(first, 3)
        tier_review.set_cycle_months(session, 6)
        tier_review.set_rules(session, tiers.TierRules(method="count", window_days=180))
    with get_db(tier_app).transaction(write=True) as session:
        assert tier_review.next_due(session) == tier_review.add_months(first, 6)
        assert tier_review.rules(session) == tiers.TierRules(method="count", window_days=180)
        with pytest.raises(ApiError):
            tier_review.set_cycle_months(session, 0)


def test_the_cli_sets_rules_reviews_decides_and_closes(tier_app: Flask, db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    def run(*args: str, ok: bool = True) -> dict:  # type: ignore[type-arg]
        result = CliRunner().invoke(
            cli, ["server", "--home", str(tmp_path), "--db", db_url, "catalog", "tiers", *args, "--json"]
        )
        assert (result.exit_code == 0) is ok, result.output
        return json.loads(result.output)

    assert run("rules", "--set", "method=median", ok=False)["error"] == "bad_rule"
    settings = run("rules", "--set", "method=count", "--set", "high_min=2", "--set", "medium_min=1",
                   "--cycle-months", "6")  # fmt: skip
    assert settings["rules"]["method"] == "count" and settings["cycle_months"] == 6
    assert run("rules", "--due", "2020-01-01", ok=False)["error"] == "bad_due"  # in the past
    assert run("rules", "--due", "next friday", ok=False)["error"] == "bad_due"
    chosen = (local_date(utcnow()) + timedelta(days=7)).isoformat()
    assert run("rules", "--due", chosen)["next_due"] == chosen
    assert run("rules", "--due", "cycle")["next_due"] == settings["next_due"]
    add_cases(tier_app, HOME_MATTER, _in_window(2))
    add_cases(tier_app, CITY_MATTER, _in_window(1))
    review = run("review", "--as-of", AS_OF.isoformat())
    found = {p["matter"]: (p["kind"], p["proposed"]) for p in review["proposals"]}
    assert found == {CITY_MATTER: ("demote", "medium"), ENTRUSTED_MATTER: ("demote", "low"),
                     ORPHAN_MATTER: ("demote", "low")}  # fmt: skip
    assert run("close", str(review["id"]), ok=False)["error"] == "proposals_pending"
    for p in review["proposals"]:
        decision = "accept" if p["matter"] == CITY_MATTER else "reject"
        assert run("decide", str(p["id"]), decision, "--reason", "季度复核决定")["state"] in (
            "accepted",
            "rejected",
        )
    closed = run("close", str(review["id"]))
    assert closed["draft"].startswith("draft-")
    shown = run("show", str(review["id"]))
    assert shown["state"] == "closed" and shown["draft"] == int(closed["draft"].removeprefix("draft-"))
