"""The tier review pages (issue 14, 5.2/5.3): only the city administrator starts a review,
decides proposals (with a reason) and closes it into a draft; the auditor reads; the
catalog page says when the next review is due. Every step is audited."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from sync_server import catalog_tiers as tiers
from sync_server import catalog_versions as versions
from sync_server import tier_review
from sync_server.db import get_db, utcnow
from sync_server.models import TierProposal
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
