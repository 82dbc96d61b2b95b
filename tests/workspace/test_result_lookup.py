"""``POST /api/v1/results/electronic``: an electronic result printed at any kiosk, proven by
receipt number + ID number; one refusal for everything else; audited; rate-limited per kiosk.
SQLite and PostgreSQL (the ``app`` fixture)."""

from __future__ import annotations

import hashlib
import io

from sqlalchemy import select

from shared_schema.protocol import RESULT_SHA256_HEADER
from sync_server.db import get_db
from sync_server.models import Submission
from sync_server.workspace.models import AuditEntry
from tests.server.factories import QINSHUI, id_number

from .conftest import new_case
from .test_actions import act, sample_pdf

PATH = "/results/electronic"


def completed(app, client, kiosk, as_user, seq: int, delivery: str) -> tuple[str, str]:
    """A case accepted and completed with an electronic result; (receipt number, ID number)."""
    case = new_case(app, client, kiosk, seq=seq)
    rev = as_user("rev_a")
    assert act(rev, case, "accept", {"opinion": "材料齐全"}).status_code == 303
    pdf = (io.BytesIO(sample_pdf(app)), "result.pdf")
    form = {"opinion": "准予", "result_kind": "electronic_certificate", "delivery": delivery,
            "delivery_reason": "申请人来电改为自助打印", "pdf": pdf}  # fmt: skip
    answer = act(rev, case, "complete", form, content_type="multipart/form-data")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    with get_db(app).transaction() as s:
        sub = s.get(Submission, case)
        return sub.receipt_no, sub.applicant_id_number


def ask(client, kiosk, receipt_no: str, identity: str):
    return client.post(PATH, kiosk, json={"receipt_no": receipt_no, "identity": identity})


def test_any_kiosk_prints_with_the_right_id_number_and_is_refused_alike_otherwise(
    app, client, kiosk, other_kiosk, as_user
):
    receipt, id_no = completed(app, client, kiosk, as_user, seq=1, delivery="online")
    far = other_kiosk  # another station: the feed never told it about this case

    good = ask(client, far, receipt, " " + id_no.lower() + " ")  # spacing and case do not matter
    assert good.status_code == 200 and good.mimetype == "application/pdf"
    assert good.data.startswith(b"%PDF-")
    assert good.headers[RESULT_SHA256_HEADER] == hashlib.sha256(good.data).hexdigest()

    wrong_id = ask(client, far, receipt, id_number(QINSHUI, serial=777))
    unknown = ask(client, far, receipt[:-4] + "9999", id_no)
    malformed_id = ask(client, far, receipt, "not an id number")
    assert wrong_id.status_code == unknown.status_code == malformed_id.status_code == 404
    assert wrong_id.get_json() == unknown.get_json() == malformed_id.get_json()
    assert wrong_id.get_json()["message_zh"].startswith("未找到")

    # A result meant for pickup at the station is not handed out at any kiosk.
    pickup_receipt, pickup_id = completed(app, client, kiosk, as_user, seq=2, delivery="pickup")
    assert ask(client, far, pickup_receipt, pickup_id).get_json() == unknown.get_json()

    with get_db(app).transaction() as s:
        logged = s.scalars(select(AuditEntry).where(AuditEntry.action == "kiosk_result_print")).all()
    outcomes = [(e.username, e.receipt_no, e.detail["outcome"]) for e in logged]
    assert outcomes[0] == (f"kiosk:{far.kiosk_id}", receipt, "printed")
    assert [o for _, _, o in outcomes] == ["printed", "refused", "refused", "refused", "refused"]
    assert all(id_no not in str(e.detail) for e in logged)  # the typed ID number is never kept


def test_lookups_are_rate_limited_per_kiosk(app, client, kiosk, other_kiosk):
    app.extensions["result_lookup_limiter"].per_minute = 3
    app.extensions["result_lookup_limiter"].clock = lambda: 6_000_000.0  # one fixed window
    neighbour = other_kiosk
    answers = [
        ask(client, neighbour, f"CQ0100-K0000001-20260105-{n:04d}", id_number(QINSHUI)) for n in range(4)
    ]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert answers[-1].get_json()["message_zh"] == "查询过于频繁，请一分钟后再试"
    assert answers[-1].headers["Retry-After"] == "60"  # the fixed clock sits at a window's start
    assert answers[-1].get_json()["details"] == {"per_minute": 3}
    assert ask(client, kiosk, "CQ0100-K0000001-20260105-0001", id_number(QINSHUI)).status_code == 404
    # A malformed body is refused before it spends the budget, and never with a 5xx.
    assert client.post(PATH, neighbour, json={"receipt_no": "x" * 41, "identity": ""}).status_code == 422


def test_kiosk_credentials_are_required(client):
    body = {"receipt_no": "CQ0100-K0000001-20260105-0001", "identity": "x"}
    assert client.post(PATH, json=body).status_code == 401
