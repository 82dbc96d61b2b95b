"""The tier review pages (issue 14, 5.2/5.3): only the city administrator starts a review,
decides proposals (with a reason) and closes it into a draft; the auditor reads; the
catalog page says when the next review is due. Every step is audited."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from sync_server import catalog_tiers as tiers
from sync_server import catalog_versions as versions
from sync_server import tier_review
from sync_server.db import get_db, utcnow
from sync_server.models import ServerSetting, TierProposal
from sync_server.workdays import local_date
from sync_server.workspace.models import AuditEntry
from tests.server.factories import CITY_MATTER, ENTRUSTED_MATTER, HOME_MATTER
from tests.server.test_catalog_tiers import add_cases, tier_app  # noqa: F401  (fixture)

RULE = tiers.TierRules(method="count", window_days=30, high_min=3, medium_min=2, drop_max=0)


def test_only_the_administrator_decides_and_the_accepted_become_a_draft(
    tier_app: Flask,  # noqa: F811
    as_user: Any,
) -> None:
    app = tier_app
    today = local_date(utcnow())
    start = tiers.Window.before(today, 30).start
    add_cases(app, HOME_MATTER, [start, start, start])  # stays high
    add_cases(app, ENTRUSTED_MATTER, [start, start])  # high → medium
    with get_db(app).transaction(write=True) as session:
        tier_review.set_rules(session, RULE)
        due = tier_review.next_due(session)
    admin, auditor = as_user("admin"), as_user("auditor")
    assert f"下次应于 <strong>{due}</strong>" in admin.get("/workspace/catalog").get_data(as_text=True)
    for name in ("rev_a", "station", "auditor"):
        assert as_user(name).post("/workspace/catalog/tiers/reviews").status_code == 403
    assert as_user("rev_a").get("/workspace/catalog/tiers").status_code == 403
    assert admin.post("/workspace/catalog/tiers/reviews").status_code == 303
    with get_db(app).transaction() as session:
        ids = {p.matter_code: p.id for p in session.scalars(select(TierProposal))}
    assert set(ids) == {ENTRUSTED_MATTER, CITY_MATTER, "140500-XX-001"}
    page = auditor.get("/workspace/catalog/tiers")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "降档" in html and "移出清单" in html and 'name="decision"' not in html
    decide = f"/workspace/catalog/tiers/proposals/{ids[ENTRUSTED_MATTER]}"
    assert auditor.post(decide, {"decision": "accept", "reason": "办件量下降"}).status_code == 403
    assert admin.post(decide, {"decision": "maybe", "reason": "办件量下降"}).status_code == 400
    assert admin.post(decide, {"decision": "accept", "reason": "短"}).status_code == 400
    assert admin.post(decide, {"decision": "accept", "reason": "办件量下降"}).status_code == 303
    for code in (CITY_MATTER, "140500-XX-001"):
        answer = admin.post(
            f"/workspace/catalog/tiers/proposals/{ids[code]}", {"decision": "reject", "reason": "暂不调整"}
        )
        assert answer.status_code == 303
    with get_db(app).transaction() as session:
        review_id = tier_review.open_review(session).id
    closed = admin.post(f"/workspace/catalog/tiers/reviews/{review_id}/close")
    assert closed.status_code == 303
    draft_id = int(re.search(r"/drafts/(\d+)$", closed.headers["Location"]).group(1))
    with get_db(app).transaction() as session:
        catalog = versions.draft_catalog(versions.get_draft(session, draft_id))
        assert catalog.matter(ENTRUSTED_MATTER).frequency == "medium"
        assert catalog.matter(CITY_MATTER).frequency == "high"  # rejected: kept
        actions = [
            e.detail for e in session.scalars(select(AuditEntry).where(AuditEntry.action == "tier_review"))
        ]
    assert len(actions) == 5 and actions[-1] == {"review": review_id, "draft": draft_id}
    assert "已采纳：办件量下降" in auditor.get("/workspace/catalog/tiers").get_data(as_text=True)


def test_the_administrator_sets_rules_cycle_and_due_date_with_errors_beside_their_fields(
    tier_app: Flask,  # noqa: F811
    as_user: Any,
) -> None:
    app = tier_app
    today = local_date(utcnow())
    admin = as_user("admin")
    good = {"method": "count", "window_days": "60", "high_min": "50", "medium_min": "10",
            "high_pct": "80", "medium_pct": "40", "drop_max": "", "add_min": "5",
            "cycle_months": "6", "due": ""}  # fmt: skip
    for name in ("rev_a", "station", "auditor"):
        assert as_user(name).post("/workspace/catalog/tiers/rules", good).status_code == 403
    assert 'name="high_min"' not in as_user("auditor").get("/workspace/catalog/tiers").get_data(as_text=True)
    try:
        bad = {**good, "window_days": "0", "cycle_months": "30",
               "due": (today - timedelta(days=1)).isoformat(), "add_min": "许多"}  # fmt: skip
        answer = admin.post("/workspace/catalog/tiers/rules", bad)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 400 and "有 4 处问题，未保存" in html
        for words in ("不能小于 1", "应为 1–24 的整数（月）", "截止日期应在今天到 24 个月之内", "应填整数"):
            assert words in html
        assert 'name="add_min" value="许多" aria-invalid="true"' in html  # what was typed stays
        # the rule across fields, once the fields parse, on the field to correct
        answer = admin.post("/workspace/catalog/tiers/rules", {**good, "medium_min": "80"})
        html = answer.get_data(as_text=True)
        assert answer.status_code == 400 and "有 1 处问题" in html and "中频下限不能高于高频下限" in html
        assert 'name="medium_min" value="80" aria-invalid="true"' in html
        with get_db(app).transaction() as session:
            assert tier_review.rules(session) == tiers.TierRules() and tier_review.due_set(session) is None
        assert admin.post("/workspace/catalog/tiers/rules", {**good, "method": "guess"}).status_code == 400

        assert admin.post("/workspace/catalog/tiers/rules", good).status_code == 303
        with get_db(app).transaction() as session:
            assert tier_review.rules(session) == tiers.TierRules(
                method="count", window_days=60, high_min=50, medium_min=10, add_min=5
            )
            assert tier_review.cycle_months(session) == 6 and tier_review.due_set(session) is None
            cycled = tier_review.next_due(session)
        chosen = today + timedelta(days=10)
        set_due = admin.post("/workspace/catalog/tiers/rules", {**good, "due": chosen.isoformat()})
        assert set_due.status_code == 303
        page = admin.get("/workspace/catalog/tiers").get_data(as_text=True)
        assert f'data-due="{chosen}"' in page and "截止日期为管理员指定" in page
        assert f"下次应于 <strong>{chosen}</strong>" in admin.get("/workspace/catalog").get_data(as_text=True)
        assert chosen != cycled
        # starting a review uses the chosen date up: the cycle counts from the review again
        assert admin.post("/workspace/catalog/tiers/reviews").status_code == 303
        with get_db(app).transaction() as session:
            assert tier_review.due_set(session) is None
            assert tier_review.next_due(session) == tier_review.add_months(today, 6)
            review = tier_review.open_review(session)
            assert review.rules["method"] == "count" and review.rules["window_days"] == 60
            audited = select(AuditEntry).where(AuditEntry.action == "tier_rules").order_by(AuditEntry.id)
            logged = [e.detail for e in session.scalars(audited)]
        assert [d["due"] for d in logged[-2:]] == [None, chosen.isoformat()]
        assert logged[-1]["cycle_months"] == 6 and logged[-1]["rules"]["high_min"] == 50
    finally:
        with get_db(app).transaction(write=True) as session:
            for key in (tier_review.RULES_KEY, tier_review.CYCLE_KEY, tier_review.DUE_KEY):
                row = session.get(ServerSetting, key)
                if row is not None:
                    session.delete(row)
