"""Sign-in by phone and SMS code: expiry, wrong codes, lockouts, no hint about which numbers exist."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select, update

from sync_server.db import get_db, utcnow
from sync_server.online import auth
from sync_server.online.models import ResidentSession, SignInCode
from sync_server.workspace.models import SmsLogEntry, SmsMessage

from .conftest import OTHER_PHONE, PHONE, Phone, last_code

WRONG = "验证码错误或已过期"
LOCKED = "尝试次数过多"


def _verify(browser: Phone, phone: str, code: str) -> tuple[int, str]:
    response = browser.post("/online/verify", {"phone": phone, "code": code, "next": "/online/"})
    return response.status_code, response.get_data(as_text=True)


def _wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_sign_in_session_and_sign_out(app: Flask, phone: Phone) -> None:
    page = phone.ask_code(PHONE)
    assert page.status_code == 200 and "138****8000" in page.get_data(as_text=True)
    code = last_code(app, PHONE)
    with get_db(app).transaction() as session:
        stored = session.scalars(select(SignInCode.code_hash)).all()
    assert stored and code not in stored[0]  # only the salted hash is kept
    with get_db(app).transaction() as session:
        outbox = session.scalars(select(SmsMessage.text).where(SmsMessage.phone == PHONE)).all()
    assert outbox and not any(code in text for text in outbox)  # sent: the outbox keeps no code

    response = phone.post("/online/verify", {"phone": PHONE, "code": code, "next": "/online/cases?x=1"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/online/cases?x=1")
    cookie = response.headers["Set-Cookie"]
    assert "tongban_online=" in cookie and "HttpOnly" in cookie and "Path=/online" in cookie
    home = phone.get("/online/").get_data(as_text=True)
    assert "138****8000" in home and "退出" in home

    assert _verify(phone, PHONE, code)[0] == 400  # a code works once

    stolen = phone.http.get_cookie("tongban_online", path="/online").value
    assert phone.post("/online/sign-out").status_code == 303
    thief = Phone(app.test_client())
    thief.http.set_cookie("tongban_online", stolen, path="/online")
    assert "退出" not in thief.get("/online/").get_data(as_text=True)


def test_unknown_wrong_and_expired_codes_get_one_answer(app: Flask, phone: Phone) -> None:
    phone.get("/online/sign-in")
    never_asked = _verify(phone, OTHER_PHONE, "123456")
    phone.ask_code(PHONE)
    code = last_code(app, PHONE)
    wrong = _verify(phone, PHONE, _wrong_code(code))
    with get_db(app).transaction(write=True) as session:
        session.execute(update(SignInCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    expired = _verify(phone, PHONE, code)
    for status, body in (never_asked, wrong, expired):
        assert status == 400 and WRONG in body

    # the same page for every number, asked or not: only the masked number differs
    def masked(body: str, number: str) -> str:
        return body.replace(number, "X").replace(f"{number[:3]}****{number[-4:]}", "X")

    assert masked(never_asked[1], OTHER_PHONE) == masked(wrong[1], PHONE)


def test_a_newer_code_replaces_the_older(app: Flask, phone: Phone) -> None:
    phone.ask_code(PHONE)
    first = last_code(app, PHONE)
    phone.ask_code(PHONE)
    second = last_code(app, PHONE)
    if first != second:
        assert _verify(phone, PHONE, first)[0] == 400
    assert _verify(phone, PHONE, second)[0] == 303


def test_lockout_per_number_then_per_client(app: Flask, phone: Phone) -> None:
    phone.ask_code(PHONE)
    code = last_code(app, PHONE)
    for _ in range(auth.VERIFY_PHONE.most):
        assert _verify(phone, PHONE, _wrong_code(code))[0] == 400
    # locked: even the right code from another address is refused, and says so
    elsewhere = Phone(app.test_client(), address="10.0.0.2")
    elsewhere.get("/online/sign-in")
    status, body = _verify(elsewhere, PHONE, code)
    assert status == 429 and LOCKED in body

    # one address trying many numbers is locked too, before it reaches a fresh number
    attacker = Phone(app.test_client(), address="10.9.9.9")
    attacker.get("/online/sign-in")
    for i in range(auth.VERIFY_CLIENT.most):
        assert _verify(attacker, f"1370000{i:04d}", "000000")[0] == 400
    assert _verify(attacker, OTHER_PHONE, "000000")[0] == 429


def test_code_requests_are_limited(app: Flask, phone: Phone) -> None:
    for _ in range(auth.SEND_PHONE.most):
        assert phone.ask_code(PHONE).status_code == 200
    refused = phone.ask_code(PHONE)
    assert refused.status_code == 429 and LOCKED in refused.get_data(as_text=True)
    with get_db(app).transaction() as session:
        sent = session.scalar(select(func.count()).select_from(SmsLogEntry).where(SmsLogEntry.phone == PHONE))
    assert sent == auth.SEND_PHONE.most


def test_bad_input_and_missing_csrf_are_refused(app: Flask, phone: Phone) -> None:
    phone.get("/online/sign-in")
    for bad in ("12345", "abc", "1" * 41, "0351-1234567", "138\x0000138000"):
        response = phone.post("/online/sign-in", {"phone": bad})
        assert response.status_code == 400 and "手机号码" in response.get_data(as_text=True)
    assert phone.post("/online/sign-in", {"phone": PHONE}, csrf=False).status_code == 400
    # an offsite next= is ignored (no open redirect)
    phone.ask_code(PHONE)
    code = last_code(app, PHONE)
    response = phone.post("/online/verify", {"phone": PHONE, "code": code, "next": "//evil.example/"})
    assert response.headers["Location"].endswith("/online/")


def test_idle_session_expires(app: Flask, resident: Phone) -> None:
    assert "退出" in resident.get("/online/").get_data(as_text=True)
    with get_db(app).transaction(write=True) as session:
        session.execute(update(ResidentSession).values(last_seen_at=utcnow() - timedelta(hours=1)))
    assert "退出" not in resident.get("/online/").get_data(as_text=True)
    with get_db(app).transaction() as session:
        assert session.scalar(select(func.count()).select_from(ResidentSession)) == 0
