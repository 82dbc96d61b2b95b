"""Result verification: the QR printed on a completed result opens the public /verify page.

The code is read back from the stamped PDF the workspace serves (pdfium render, zxing
decode) — proof the printed code works; then the page is fetched with no login, a
tampered blob is called out, unknown and malformed codes get one identical 404, a typo
gets the check-character message, and the per-client budget answers 429.
"""

from __future__ import annotations

import hashlib
import io
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import zxingcpp
from sqlalchemy import select

from sync_server.blobstore import get_store
from sync_server.db import get_db
from sync_server.models import RateLimitWindow, Submission
from sync_server.ratelimit import RateLimiter
from sync_server.workspace.models import AuditEntry, CaseResult, SmsLogEntry
from sync_server.workspace.verification import mask_name
from sync_server.workspace.verify_code import ALPHABET, Parsed, display, new_code, parse

from .conftest import new_case
from .test_actions import act, sample_pdf


def completed_case(app, client, kiosk, as_user) -> tuple[int, bytes]:
    """A case completed with an electronic result; the result PDF as the workspace serves it."""
    case = new_case(app, client, kiosk)
    rev = as_user("rev_a")
    rev.get(f"/workspace/submissions/{case}")
    assert act(rev, case, "accept").status_code == 303
    form = {"opinion": "准予登记", "result_kind": "electronic_certificate", "delivery": "pickup",
            "pdf": (io.BytesIO(sample_pdf(app)), "result.pdf")}  # fmt: skip
    answer = act(rev, case, "complete", form, content_type="multipart/form-data")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    served = rev.get(f"/workspace/submissions/{case}/result.pdf")
    assert served.status_code == 200
    return case, served.data


def printed_code_url(pdf: bytes) -> str:
    """What a phone reads from the printed first page."""
    image = pdfium.PdfDocument(pdf)[0].render(scale=200 / 72).to_pil()
    texts = [r.text for r in zxingcpp.read_barcodes(image)]
    assert len(texts) == 1, texts
    return texts[0]


def test_printed_code_opens_the_public_page(app, client, kiosk, as_user):
    case, pdf = completed_case(app, client, kiosk, as_user)
    url = printed_code_url(pdf)
    path = urlsplit(url).path
    assert path.startswith("/verify/")
    public = app.test_client()  # no login, no cookies
    page = public.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "核验通过" in html
    assert "城乡居民养老保险参保登记" in html and "沁水县人社局" in html and "张*" in html
    assert hashlib.sha256(pdf).hexdigest() in html  # the hash of the very bytes printed
    with get_db(app).transaction() as session:
        sub = session.get(Submission, case)
        private = [sub.applicant_name, sub.applicant_id_number, sub.applicant_phone, sub.receipt_no]
    assert not any(value in html for value in private)
    assert (
        "Set-Cookie" not in page.headers
        and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    )

    as_json = public.get(path + ".json").get_json()
    assert as_json["status"] == "genuine" and as_json["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert as_json["applicant"] == "张*" and as_json["department_name"] == "沁水县人社局"
    negotiated = public.get(path, headers={"Accept": "application/json"})
    assert negotiated.is_json and negotiated.get_json() == as_json

    # the applicant's SMS names the same code and promises nothing the system cannot do
    with get_db(app).transaction() as session:
        texts = list(session.scalars(select(SmsLogEntry.text).order_by(SmsLogEntry.id)))
    assert as_json["code"] in texts[-1] and "领取" in texts[-1]
    assert not any("任一服务站" in t or "在线" in t for t in texts)

    # every lookup is audited with its outcome only: no address, name or code
    with get_db(app).transaction() as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "verify_lookup")))
    assert [e.detail for e in entries] == [{"outcome": "genuine"}] * 3
    assert all(e.submission_id == case and not e.remote_addr and e.username == "public" for e in entries)


def test_a_tampered_document_is_called_out(app, client, kiosk, as_user):
    case, pdf = completed_case(app, client, kiosk, as_user)
    path = urlsplit(printed_code_url(pdf)).path
    with get_db(app).transaction() as session:
        sha = session.scalars(select(CaseResult.sha256).where(CaseResult.submission_id == case)).one()
    store = get_store(app)
    with open(store._name(sha), "r+b") as fh:  # someone edits the stored file in place
        fh.seek(len(pdf) // 2)
        fh.write(b"FORGED")
    page = app.test_client().get(path)
    assert page.status_code == 200 and "文件已被改动" in page.get_data(as_text=True)
    assert app.test_client().get(path + ".json").get_json()["status"] == "tampered"


def test_unknown_and_malformed_codes_get_one_answer(app, client, kiosk, as_user):
    _case, pdf = completed_case(app, client, kiosk, as_user)
    public = app.test_client()
    real = urlsplit(printed_code_url(pdf)).path.removeprefix("/verify/")
    unknown = display(new_code())
    answers = [public.get(f"/verify/{c}") for c in (unknown, "abc", "0" * 17, "%3Cscript%3E", "x" * 200)]
    assert {a.status_code for a in answers} == {404}
    assert len({a.get_data() for a in answers}) == 1  # nothing tells unknown from malformed
    assert "未找到" in answers[0].get_data(as_text=True)

    # one character changed: the check character says it is a typo (still 404)
    canonical = parse(real)[1]
    wrong = ALPHABET[(ALPHABET.index(canonical[5]) + 1) % len(ALPHABET)]
    altered = canonical[:5] + wrong + canonical[6:]
    typo = public.get(f"/verify/{altered}")
    assert typo.status_code == 404 and "校验码有误" in typo.get_data(as_text=True)
    assert public.get(f"/verify/{altered}.json").get_json()["error"] == "check_failed"
    assert public.get(f"/verify/{unknown}.json").get_json()["error"] == "not_found"
    # typed by hand: lower case, no dashes, O for 0 still finds it
    typed = real.replace("-", "").lower().replace("0", "o")
    assert public.get(f"/verify/{typed}").status_code == 200
    assert public.get(f"/verify?code={typed}").status_code == 303


def test_rate_limit_per_client(app, client, kiosk, as_user):
    app.extensions["verify_limiter"] = RateLimiter("verify", per_minute=3, clock=lambda: 6_000_000.0)
    public = app.test_client()
    code = display(new_code())
    seen = [public.get(f"/verify/{code}").status_code for _ in range(4)]
    assert seen == [404, 404, 404, 429]
    limited = public.get(f"/verify/{code}")
    assert limited.status_code == 429 and "查询过于频繁" in limited.get_data(as_text=True)
    assert limited.headers["Retry-After"] == "60"
    other = public.get(f"/verify/{code}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 404  # another client has its own budget


def test_codes_and_masks():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:200]:
        assert parse(display(code)) == (Parsed.ok, code)
        for i in range(len(code)):  # every single substitution is caught
            for other in ALPHABET.replace(code[i], "")[:6]:
                assert parse(code[:i] + other + code[i + 1 :])[0] is Parsed.typo
    assert mask_name("张三") == "张*" and mask_name("张小明") == "张*明" and mask_name("欧阳小明") == "欧**明"


def test_rate_limit_windows(app):
    """Fixed windows in the database: refused requests count, a node whose clock runs
    behind counts into the newer window, long-silent clients are forgotten."""
    db, now = get_db(app), [6_000_000.0]
    limiter = RateLimiter("verify", per_minute=2, clock=lambda: now[0])
    assert [limiter.allow(db, "a") for _ in range(3)] == [True, True, False]
    now[0] += 60
    assert limiter.allow(db, "a") and limiter.allow(db, "a")
    now[0] -= 60  # another node, its clock a minute behind: no fresh budget there
    assert not limiter.allow(db, "a")
    assert RateLimiter("result_lookup", per_minute=2, clock=lambda: now[0]).allow(db, "a")  # own scope
    now[0] += 3600 + 120
    assert limiter.allow(db, "b")  # opens a window: "a", silent for an hour, is deleted
    with db.transaction() as session:
        rows = session.execute(select(RateLimitWindow.scope, RateLimitWindow.client)).all()
    assert sorted(rows) == [("result_lookup", "a"), ("verify", "b")]
