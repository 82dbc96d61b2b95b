"""First light: log in, see the inbox, open a case."""

from __future__ import annotations

from .conftest import new_case


def test_reviewer_sees_case(app, client, kiosk, as_user):
    case = new_case(app, client, kiosk)
    rev = as_user("rev_a")
    page = rev.get("/workspace/inbox")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "张三" in text and "城乡居民养老保险参保登记" in text
    review = rev.get(f"/workspace/submissions/{case}")
    assert review.status_code == 200, review.get_data(as_text=True)[:2000]
