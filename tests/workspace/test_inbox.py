"""Inbox filters, badges and keyset pagination; the triage queue and reassignment."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select, update

from sync_server.db import get_db
from sync_server.models import RoutingDecision, Submission
from tests.server.factories import CHINA, ORPHAN_MATTER, TRIAGE

from .conftest import DEPT_A, new_case
from .test_actions import act

RECEIPT = re.compile(r">(ST01-[0-9A-Z]+-\d{8}-\d{4})<")


def receipts(html: str) -> list[str]:
    return RECEIPT.findall(html)


def test_keyset_pages_and_filters(app, client, kiosk, as_user):
    app.config["WORKSPACE_PAGE_SIZE"] = 2
    base = datetime(2026, 1, 5, 9, 0, tzinfo=CHINA)
    cases = [new_case(app, client, kiosk, seq=i, created_at=base + timedelta(hours=i)) for i in range(1, 6)]
    rev = as_user("rev_a")
    seen, url = [], "/workspace/inbox"
    while url:
        html = rev.get(url).get_data(as_text=True)
        assert "共 5 件" in html
        seen += receipts(html)
        nxt = re.search(r'href="(/workspace/inbox\?after=[^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert len(seen) == 5 and seen == sorted(seen, reverse=True)  # newest first, each once

    rev.get(f"/workspace/submissions/{cases[0]}")
    act(rev, cases[0], "accept")
    accepted = receipts(rev.get("/workspace/inbox?state=accepted").get_data(as_text=True))
    assert len(accepted) == 1 and accepted[0].endswith("-0001")
    assert (
        len(receipts(rev.get("/workspace/inbox?from=2026-01-05&to=2026-01-05").get_data(as_text=True))) == 2
    )
    assert receipts(rev.get("/workspace/inbox?matter=140500-SJ-001").get_data(as_text=True)) == []
    assert len(receipts(rev.get("/workspace/inbox?station=ST01&state=all").get_data(as_text=True))) == 2
    assert receipts(rev.get("/workspace/inbox?station=ST02").get_data(as_text=True)) == []
    assert rev.get("/workspace/inbox?after=garbage&from=not-a-date&state=bogus").status_code == 200


def _mark_online(app, case: int) -> None:
    """As the online zone's ingest records a case (source "online", tests/online/test_apply.py)."""
    with get_db(app).transaction(write=True) as session:
        session.execute(update(Submission).where(Submission.id == case).values(source="online"))


def test_channel_filter_pages_and_combines(app, client, kiosk, as_user):
    """网上 / 终端: validated, shown in the filter bar, kept on the next page's link, and
    combined with the other filters."""
    app.config["WORKSPACE_PAGE_SIZE"] = 2
    base = datetime(2026, 1, 5, 9, 0, tzinfo=CHINA)
    cases = [new_case(app, client, kiosk, seq=i, created_at=base + timedelta(hours=i)) for i in range(1, 6)]
    for case in cases[:3]:
        _mark_online(app, case)
    rev = as_user("rev_a")

    def all_pages(url: str) -> tuple[list[str], str]:
        seen, first = [], None
        while url:
            html = rev.get(url).get_data(as_text=True)
            first = first or html
            seen += receipts(html)
            nxt = re.search(r'href="(/workspace/inbox\?[^"]*after=[^"]+)"', html)
            url = nxt.group(1).replace("&amp;", "&") if nxt else None
            assert url is None or "channel=" in url, url
        return seen, first or ""

    online, page = all_pages("/workspace/inbox?channel=online")
    assert sorted(online) == sorted(receipts_of(app, cases[:3])) and "共 3 件" in page
    assert '<option value="online" selected>网上</option>' in page  # the bar shows the choice
    kiosk_cases, page = all_pages("/workspace/inbox?channel=kiosk")
    assert sorted(kiosk_cases) == sorted(receipts_of(app, cases[3:])) and "共 2 件" in page
    assert '<option value="kiosk" selected>终端</option>' in page
    both, page = all_pages("/workspace/inbox?channel=")
    assert len(both) == 5 and " selected>网上" not in page and " selected>终端" not in page  # 全部

    # with the date, state and station filters
    assert "共 3 件" in rev.get("/workspace/inbox?channel=online&from=2026-01-05&to=2026-01-05").get_data(
        as_text=True
    )
    assert "共 0 件" in rev.get("/workspace/inbox?channel=online&from=2026-01-06").get_data(as_text=True)
    rev.get(f"/workspace/submissions/{cases[4]}")
    act(rev, cases[4], "accept")
    assert receipts(rev.get("/workspace/inbox?channel=online&state=accepted").get_data(as_text=True)) == []
    accepted = receipts(rev.get("/workspace/inbox?channel=kiosk&state=accepted").get_data(as_text=True))
    assert accepted == receipts_of(app, [cases[4]])
    assert receipts(rev.get("/workspace/inbox?channel=kiosk&station=ST02").get_data(as_text=True)) == []

    refused = rev.get("/workspace/inbox?channel=fax")
    assert refused.status_code == 400 and "渠道只能选" in refused.get_data(as_text=True)


def receipts_of(app, cases: list[int]) -> list[str]:
    with get_db(app).transaction() as session:
        return [session.get_one(Submission, case).receipt_no for case in cases]


def test_badges_and_due_filter(app, client, kiosk, as_user):
    late, soon = new_case(app, client, kiosk, seq=1), new_case(app, client, kiosk, seq=2)
    rev = as_user("rev_a")
    rev.get(f"/workspace/submissions/{late}")
    act(rev, late, "accept")
    act(rev, soon, "accept")
    today = datetime.now(CHINA).date()
    with get_db(app).transaction(write=True) as session:
        old = datetime.now(CHINA) - timedelta(days=40)
        late_values = {"promised_due": today - timedelta(days=3), "accepted_at": old}
        session.execute(update(Submission).where(Submission.id == late).values(**late_values))
        session.execute(update(Submission).where(Submission.id == soon).values(promised_due=today))
    html = rev.get("/workspace/inbox").get_data(as_text=True)
    assert "已超期" in html and "即将到期" in html
    overdue = receipts(rev.get("/workspace/inbox?due=overdue").get_data(as_text=True))
    assert len(overdue) == 1 and overdue[0].endswith("-0001")
    assert receipts(rev.get("/workspace/inbox?due=due_soon").get_data(as_text=True))[0].endswith("-0002")
    review = rev.get(f"/workspace/submissions/{late}").get_data(as_text=True)
    assert "承诺办结" in review and "已超期" in review


def test_triage_queue_and_reassignment(app, client, kiosk, as_user):
    case = new_case(app, client, kiosk, matter_code=ORPHAN_MATTER)
    with get_db(app).transaction() as session:
        assert session.get(Submission, case).department_code == TRIAGE
    admin = as_user("admin")
    page = admin.get("/workspace/triage").get_data(as_text=True)
    assert "无人办理的事项" in page and "分拣" in page
    assert admin.post(f"/workspace/triage/{case}", {"department": DEPT_A, "reason": " "}).status_code == 400
    assert admin.post(f"/workspace/triage/{case}", {"department": TRIAGE, "reason": "x"}).status_code == 400
    answer = admin.post(f"/workspace/triage/{case}", {"department": DEPT_A, "reason": "申请人户籍在沁水县"})
    assert answer.status_code == 303
    with get_db(app).transaction() as session:
        sub = session.get(Submission, case)
        decision = session.scalars(
            select(RoutingDecision)
            .where(RoutingDecision.submission_id == case)
            .order_by(RoutingDecision.id.desc())
        ).first()
    assert sub.department_code == DEPT_A and sub.state == "routed"
    assert decision.decided_by == "admin" and "申请人户籍在沁水县" in decision.reason_zh
    assert "无人办理的事项" not in admin.get("/workspace/triage").get_data(as_text=True)
    assert (
        admin.post(f"/workspace/triage/{case}", {"department": DEPT_A, "reason": "again"}).status_code == 404
    )
    assert as_user("rev_a").get(f"/workspace/submissions/{case}").status_code == 200
    feed = client.get("/status-feed", kiosk).get_json()["events"]
    assert feed[-1]["state"] == "routed" and "沁水县人社局" in feed[-1]["message"]
