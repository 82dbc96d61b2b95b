"""Names instead of codes, incomplete cases marked and filtered, refused forms kept (issue 12)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select

from shared_schema import SubmissionManifest
from sync_server.db import get_db
from sync_server.models import Submission, SubmissionEvent
from tests.server.factories import CHINA, ORPHAN_MATTER, make_manifest

from .conftest import DEPT_A, new_case, submit


def incomplete_case(app, client, kiosk, seq: int, **kw) -> int:
    """A submission the kiosk's check found incomplete, queued by staff with a reason."""
    manifest, blobs = make_manifest(kiosk.kiosk_id, seq=seq, **kw)
    data = manifest.model_dump(mode="json")
    data["completeness"] = {
        "complete": False,
        "issues": [{"code": "missing_material", "material_code": "form", "message": "缺少申请表"}],
    }
    data["incomplete_accepted"] = {
        "reason": "申请人明日补交申请表", "by": "tongban kiosk submit",
        "at": datetime(2026, 1, 5, 11, 0, tzinfo=CHINA).isoformat(),
    }  # fmt: skip
    answer = submit(client, kiosk, SubmissionManifest.parse(data), blobs)
    assert answer.status_code == 201, answer.get_json()
    with get_db(app).transaction() as session:
        return session.scalar(select(Submission.id).where(Submission.receipt_no == manifest.receipt_no))


def events(app, case: int) -> int:
    with get_db(app).transaction() as session:
        query = select(func.count()).select_from(SubmissionEvent).where(SubmissionEvent.submission_id == case)
        return session.scalar(query)


def receipts(html: str) -> list[str]:
    return re.findall(r'/workspace/submissions/\d+">([^<]+)</a>', html)


def test_header_and_inbox_name_the_department_not_its_code(app, client, kiosk, as_user):
    case = new_case(app, client, kiosk)
    rev = as_user("rev_a")
    html = rev.get("/workspace/inbox").get_data(as_text=True)
    header = html[html.index('<div class="who">') : html.index("</header>")]
    assert "王审核" in header and "沁水县人社局" in header and "审核" in header
    assert DEPT_A not in re.sub(r'title="[^"]*"', "", header)  # the code only as a tooltip
    assert "<h1>收件箱 · 沁水县人社局</h1>" in html
    assert "办理部门" not in html  # a reviewer sees only their own department's cases

    review = rev.get(f"/workspace/submissions/{case}").get_data(as_text=True)
    place = review[review.index("<dt>属地</dt>") :][:200]
    assert "沁水县" in place and 'class="code">140521200201<' in place


def test_admin_inbox_has_a_department_column(app, client, kiosk, as_user):
    new_case(app, client, kiosk)
    html = as_user("admin").get("/workspace/inbox").get_data(as_text=True)
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert head.index("受理编号") < head.index("办理部门") < head.index("事项")
    assert '<td class="dept">沁水县人社局</td>' in html


def test_incomplete_cases_are_marked_and_can_be_filtered(app, client, kiosk, as_user):
    whole = new_case(app, client, kiosk, seq=1)
    partial = incomplete_case(app, client, kiosk, seq=2)
    rev = as_user("rev_a")
    html = rev.get("/workspace/inbox").get_data(as_text=True)
    rows = {r: html[html.index(f">{r}</a>") :].split("</tr>")[0] for r in receipts(html)}
    with get_db(app).transaction() as session:
        numbers = {i: session.get(Submission, i).receipt_no for i in (whole, partial)}
    assert "材料不全" in rows[numbers[partial]] and "材料不全" not in rows[numbers[whole]]
    assert 'name="incomplete" value="1" >' in html  # the filter is offered, not yet on

    only = rev.get("/workspace/inbox?incomplete=1").get_data(as_text=True)
    assert receipts(only) == [numbers[partial]] and "共 1 件" in only
    assert 'name="incomplete" value="1" checked' in only
    everything = rev.get("/workspace/inbox?incomplete=0").get_data(as_text=True)
    assert sorted(receipts(everything)) == sorted(numbers.values())


def test_an_empty_correction_notice_goes_back_to_the_case_with_the_form_kept(app, client, kiosk, as_user):
    case = new_case(app, client, kiosk)
    rev = as_user("rev_a")
    rev.get(f"/workspace/submissions/{case}")
    before = events(app, case)
    answer = rev.post(f"/workspace/submissions/{case}/correct", {"items_text": "   \n  "})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    message = "请列出需要补正的全部内容（至少一项）"
    assert f'<p class="alert error" role="alert" id="decision-error">{message}</p>' in html
    assert "无法完成操作" not in html and 'id="do-correct"' in html  # the case page, form ready again
    with get_db(app).transaction() as session:
        assert session.get(Submission, case).state == "routed"
    assert events(app, case) == before

    # what was typed comes back: ticked materials and the free text of a refused reject
    rev.post(f"/workspace/submissions/{case}/reject", {"reason": "x" * 501})
    kept = rev.post(f"/workspace/submissions/{case}/reject", {"reason": "  "}).get_data(as_text=True)
    assert 'id="decision-error"' in kept
    too_many = {"item": ["请补正：居民身份证"], "items_text": "\n".join(f"第 {i} 项" for i in range(31))}
    again = rev.post(f"/workspace/submissions/{case}/correct", too_many).get_data(as_text=True)
    assert "补正内容不能超过 30 项" in again
    assert 'value="请补正：居民身份证" checked' in again and "第 30 项</textarea>" in again


def test_a_decision_out_of_scope_still_gets_the_plain_refusal(app, client, kiosk, as_user):
    case = new_case(app, client, kiosk)
    other = as_user("rev_b")  # another county's reviewer: the case does not exist for them
    answer = other.post(f"/workspace/submissions/{case}/correct", {"items_text": ""})
    assert answer.status_code == 404 and "未找到该申请" in answer.get_data(as_text=True)
    assert "申请材料" not in answer.get_data(as_text=True)


def test_the_triage_queue_marks_incomplete_cases_too(app, client, kiosk, as_user):
    whole = new_case(app, client, kiosk, seq=1, matter_code=ORPHAN_MATTER)
    partial = incomplete_case(app, client, kiosk, seq=2, matter_code=ORPHAN_MATTER)
    html = as_user("admin").get("/workspace/triage").get_data(as_text=True)
    with get_db(app).transaction() as session:
        numbers = {i: session.get(Submission, i).receipt_no for i in (whole, partial)}
    rows = {n: html[html.index(f">{n}</span>") :].split("</td>")[0] for n in numbers.values()}
    assert "材料不全" in rows[numbers[partial]] and "材料不全" not in rows[numbers[whole]]
