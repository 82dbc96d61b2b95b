"""An enterprise applicant (单位) proves itself at another station's kiosk with its unified
social credit code (GB 32100) instead of an ID number: the 补正 lookup and the electronic
result, with the same single refusal and the same per-kiosk budgets as a person.
SQLite and PostgreSQL (the ``app`` fixture)."""

from __future__ import annotations

import io

from shared_schema.supplement import LookupAnswer
from sync_server.db import get_db
from sync_server.models import Submission
from tests.server.factories import QINSHUI, id_number

from .conftest import new_case
from .test_actions import act, sample_pdf
from .test_result_lookup import ask as ask_result
from .test_supplements import ask as ask_correction
from .test_supplements import receipt

USCC = "9314052201TH3BJ1X1"  # valid check characters (python-stdnum), as the kiosk validates
OTHER_USCC = "9114052123N1247RG9"
ENTERPRISE = {
    "kind": "enterprise",
    "name": "晋城市凤城农产品有限公司",
    "uscc": USCC,
    "legal_representative": "朱丽",
    "phone": "13800138000",
    "home_division": QINSHUI + "200201",
}


def lookup(client, kiosk, body: dict):
    return client.post("/supplements/lookup", kiosk, json=body)


def test_an_enterprise_looks_up_its_correction_with_its_credit_code(app, client, kiosk, other_kiosk, staff):
    case = new_case(app, client, kiosk, applicant=ENTERPRISE)
    ask_correction(app, case, ["营业执照副本"])
    number = receipt(app, case)
    person_case = new_case(app, client, kiosk, seq=2)
    ask_correction(app, person_case, ["户口簿首页"])

    found = lookup(client, other_kiosk, {"receipt_no": number, "uscc": USCC.lower()})
    assert found.status_code == 200, found.get_json()
    notice = LookupAnswer.model_validate(found.get_json())
    assert notice.receipt_no == number and notice.lookup_grant

    refusals = [
        lookup(client, other_kiosk, {"receipt_no": number, "uscc": OTHER_USCC}),  # another enterprise
        lookup(client, other_kiosk, {"receipt_no": number[:-4] + "9999", "uscc": USCC}),  # unknown receipt
        lookup(client, other_kiosk, {"receipt_no": number, "id_number": id_number(QINSHUI)}),  # a person's
        # the person's case asked for with a credit code: the kinds never cross
        lookup(client, other_kiosk, {"receipt_no": receipt(app, person_case), "uscc": USCC}),
    ]
    assert [r.status_code for r in refusals] == [404] * 4
    assert all(r.get_json() == refusals[0].get_json() for r in refusals)  # nothing tells them apart
    assert refusals[0].get_json()["message_zh"] == "受理编号或证件号码不正确，请核对后再试"
    # the person's own lookup still works with the ID number
    assert (
        lookup(
            client, other_kiosk, {"receipt_no": receipt(app, person_case), "id_number": id_number(QINSHUI)}
        ).status_code
        == 200
    )

    both = lookup(client, other_kiosk, {"receipt_no": number, "uscc": USCC, "id_number": id_number(QINSHUI)})
    neither = lookup(client, other_kiosk, {"receipt_no": number})
    malformed = lookup(client, other_kiosk, {"receipt_no": number, "uscc": USCC[:-1] + "0"})  # check fails
    assert [both.status_code, neither.status_code, malformed.status_code] == [422, 422, 422]


def test_credit_code_lookups_spend_the_same_hourly_budget(app, client, kiosk, other_kiosk, staff):
    app.config["SUPPLEMENT_LOOKUPS_PER_HOUR"] = 2
    case = new_case(app, client, kiosk, applicant=ENTERPRISE)
    ask_correction(app, case, ["营业执照副本"])
    body = {"receipt_no": receipt(app, case), "uscc": OTHER_USCC}
    assert [lookup(client, other_kiosk, body).status_code for _ in range(2)] == [404, 404]
    limited = lookup(client, other_kiosk, {**body, "uscc": USCC})  # even the right code, once spent
    assert limited.status_code == 429 and "每小时最多查询 2 次" in limited.get_json()["message_zh"]


def test_an_enterprise_prints_its_electronic_result_with_its_credit_code(
    app, client, kiosk, other_kiosk, as_user
):
    case = new_case(app, client, kiosk, applicant=ENTERPRISE)
    rev = as_user("rev_a")
    assert act(rev, case, "accept", {"opinion": "材料齐全"}).status_code == 303
    pdf = (io.BytesIO(sample_pdf(app)), "result.pdf")
    form = {"opinion": "准予", "result_kind": "electronic_certificate", "delivery": "online",
            "delivery_reason": "单位来电改为自助打印", "pdf": pdf}  # fmt: skip
    assert act(rev, case, "complete", form, content_type="multipart/form-data").status_code == 303
    with get_db(app).transaction() as session:
        number = session.get_one(Submission, case).receipt_no

    printed = ask_result(client, other_kiosk, number, " " + USCC.lower() + " ")
    assert printed.status_code == 200 and printed.data.startswith(b"%PDF-")
    wrong = ask_result(client, other_kiosk, number, OTHER_USCC)
    unknown = ask_result(client, other_kiosk, number[:-4] + "9999", USCC)
    assert wrong.status_code == unknown.status_code == 404 and wrong.get_json() == unknown.get_json()
