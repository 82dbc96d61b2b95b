"""Who may see and do what: department scoping answers 404, roles answer 403."""

from __future__ import annotations

import pytest

from tests.server.factories import ZEZHOU

from .conftest import new_case

CASE_GETS = ["", "/pages/0", "/forms/receipt_notice.pdf", "/forms/transfer_slip.pdf", "/forms/flow_card.pdf",
             "/result.pdf"]  # fmt: skip
ACTIONS = ["accept", "correct", "reject", "special_start", "special_end", "complete", "deliver", "archive"]


@pytest.fixture
def two_cases(app, client, kiosk):
    """One case for department A (沁水县 applicant) and one for B (泽州县 applicant)."""
    return new_case(app, client, kiosk, seq=1), new_case(
        app, client, kiosk, seq=2, home_division=ZEZHOU + "100200"
    )


def test_reviewer_of_other_department_gets_404_everywhere(app, as_user, two_cases):
    mine, theirs = two_cases
    rev_b = as_user("rev_b")
    assert rev_b.get(f"/workspace/submissions/{theirs}").status_code == 200
    for suffix in CASE_GETS:
        assert rev_b.get(f"/workspace/submissions/{mine}{suffix}").status_code == 404, suffix
    for action in ACTIONS:
        assert rev_b.post(f"/workspace/submissions/{mine}/{action}", {"reason": "x"}).status_code == 404, (
            action
        )
    inbox = rev_b.get("/workspace/inbox?state=all").get_data(as_text=True)
    assert f'/workspace/submissions/{theirs}"' in inbox and f'/workspace/submissions/{mine}"' not in inbox
    assert rev_b.get("/workspace/submissions/999999").status_code == 404


def test_station_staff_cannot_review(app, as_user, two_cases):
    mine, _ = two_cases
    desk = as_user("station")
    assert desk.get(f"/workspace/submissions/{mine}").status_code == 403
    assert desk.get(f"/workspace/submissions/{mine}/pages/0").status_code == 403
    assert desk.get("/workspace/inbox").status_code == 403
    assert desk.get("/workspace/ledger").status_code == 403
    assert desk.get("/workspace/triage").status_code == 403
    assert desk.post(f"/workspace/submissions/{mine}/accept").status_code == 403
    # Not a pickup at this station (not even completed): invisible.
    assert desk.post(f"/workspace/submissions/{mine}/deliver", {"id_check": "x"}).status_code == 404
    assert desk.get(f"/workspace/submissions/{mine}/forms/receipt_notice.pdf").status_code == 404


def test_auditor_is_read_only(app, as_user, two_cases):
    mine, _ = two_cases
    auditor = as_user("auditor")
    assert auditor.get("/workspace/audit").status_code == 200
    assert auditor.get("/workspace/ledger").status_code == 200
    assert auditor.get(f"/workspace/submissions/{mine}").status_code == 403
    assert auditor.get("/workspace/inbox").status_code == 403
    for action in ACTIONS:
        assert auditor.post(f"/workspace/submissions/{mine}/{action}").status_code == 403, action
    assert (
        auditor.post(f"/workspace/triage/{mine}", {"department": "SB-140521", "reason": "x"}).status_code
        == 403
    )


def test_city_admin_sees_all_but_does_not_decide(app, as_user, two_cases):
    mine, theirs = two_cases
    admin = as_user("admin")
    assert admin.get(f"/workspace/submissions/{mine}").status_code == 200
    assert admin.get(f"/workspace/submissions/{theirs}").status_code == 200
    assert admin.post(f"/workspace/submissions/{mine}/accept").status_code == 403
    assert admin.get("/workspace/audit").status_code == 200
    assert (
        "accept"
        not in admin.get(f"/workspace/submissions/{mine}").get_data(as_text=True).split("办理记录")[0]
    )
