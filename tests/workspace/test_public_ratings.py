"""The public 好差评 results (issue 14, 国办发〔2019〕51号: results are published): per
department for one month, no login, counts only — no receipt number, comment, staff member
or applicant on the page; a bad month parameter is a clear 400."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from sync_server.db import get_db
from sync_server.models import Department, Rectification, Submission

from .conftest import CHINA, DEPT_A, new_case
from .test_actions import act
from .test_ratings import rate, receipt

MONTH = "2025-03"  # a month no other test rates in


def at(day: int) -> datetime:
    return datetime(2025, 3, day, 10, 0, tzinfo=CHINA)


def test_results_by_department_for_a_month_without_personal_data(app, client, kiosk, as_user) -> None:  # type: ignore[no-untyped-def]
    rev = as_user("rev_a")
    cases = [new_case(app, client, kiosk, seq=s) for s in (301, 302, 303, 304)]
    for case in cases:
        assert act(rev, case, "accept").status_code == 303  # DEPT_A holds them
    numbers = [receipt(app, c) for c in cases]
    for number, score in zip(numbers, (5, 4, 1, 2), strict=True):
        reasons = ["poor_attitude"] if score < 3 else []
        assert rate(client, kiosk, number, score, "handle", at(10), reasons).status_code == 201
    april = datetime(2025, 4, 1, 0, 30, tzinfo=CHINA)  # China time: April, not March
    assert rate(client, kiosk, numbers[0], 5, "collect", april).status_code == 201
    with get_db(app).transaction(write=True) as session:
        opened = session.scalars(
            select(Rectification).where(Rectification.receipt_no.in_(numbers[2:])).order_by(Rectification.id)
        ).all()
        assert len(opened) == 2  # each bad rating opened one
        for rect, state in zip(opened, ("closed", "dismissed"), strict=True):  # how each one ended
            session.execute(update(Rectification).where(Rectification.id == rect.id).values(state=state))
        name = session.get(Department, DEPT_A).name
        applicant = session.scalars(select(Submission.applicant_name).where(Submission.id == cases[0])).one()

    public = app.test_client()  # nobody logged in
    page = public.get(f"/public/ratings?month={MONTH}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "2025年3月 政务服务好差评结果" in html
    row = f"<td>{name}</td><td>4</td><td>50.0%</td><td>2</td><td>1</td><td>1</td>"
    assert row in html and 'class="total"><td>全市</td><td>4</td>' in html
    for private in (*numbers, applicant, "王审核", "rev_a", "服务态度不好"):
        assert private not in html
    assert "2025年2月" in html and "2025年4月" in html  # the months around it
    for bad in ("2025-13", "2025-3", "x" * 300, "2099-01", "1999-12"):
        answer = public.get(f"/public/ratings?month={bad}")
        words = answer.get_data(as_text=True)
        assert answer.status_code == 400 and ("月份格式应为" in words or "只能查看已经开始的月份" in words)
    assert public.get("/public/ratings").status_code == 200  # the last full month
    assert "Content-Security-Policy" in page.headers
