"""Sign-in by phone number and a one-time SMS code; who is signed in; the view guard.

Every valid number may sign in (a resident needs no account), so no answer can tell a
known number from an unknown one: asking for a code always gets the same page, and a
wrong code, an expired one and a number that never asked all get the same refusal, each
counted as a failure. Codes are six digits, kept only as a salted HMAC, live
``CODE_TTL``, die after ``CODE_ATTEMPTS`` tries and when a newer code is sent. Failures
lock the number and the client address for a while (``VERIFY_PHONE``/``VERIFY_CLIENT``);
code requests are limited the same way (``SEND_PHONE``/``SEND_CLIENT``) so nobody can
flood a number with texts. All counts live in the database (``throttle``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import g, redirect, request, url_for
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared_schema.identifiers import validate_phone

from ..db import utcnow
from ..lockout import Limit
from ..workspace import sms
from ..workspace.errors import WorkspaceError
from ..workspace.models import SmsMessage
from . import throttle
from .models import SignInCode

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=5)
CODE_ATTEMPTS = 5
VERIFY_PHONE = Limit(most=5, window=timedelta(minutes=15), lock=timedelta(minutes=15))
VERIFY_CLIENT = Limit(most=20, window=timedelta(minutes=15), lock=timedelta(minutes=15))
SEND_PHONE = Limit(most=5, window=timedelta(hours=1), lock=timedelta(hours=1))
SEND_CLIENT = Limit(most=20, window=timedelta(hours=1), lock=timedelta(hours=1))
SENT_CODE_TEXT = "【市域通办】登录验证码（已发送，不留存）"
WRONG_CODE = WorkspaceError(
    "code wrong, expired or never sent", "验证码错误或已过期，请重新输入或重新获取", 400
)

F = TypeVar("F", bound=Callable[..., Any])


def parse_phone(raw: str | None) -> str:
    """A mobile number from a form, or a refusal a resident can act on."""
    value = (raw or "")[:40]
    try:
        phone = validate_phone(value)
    except ValueError:
        raise WorkspaceError("invalid phone", "请输入正确的11位手机号码", 400) from None
    if len(phone) != 11:
        raise WorkspaceError("not a mobile number", "请填写可以接收短信的11位手机号码", 400)
    return phone


def _digest(salt: str, phone: str, code: str) -> str:
    return hmac.new(salt.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _refuse_if_locked(session: Session, keys: list[str], now: datetime, action: str) -> None:
    ends = [t for t in (throttle.locked_until(session, k, now) for k in keys) if t is not None]
    if ends:
        minutes = max(1, int((max(ends) - now).total_seconds() // 60) + 1)
        raise WorkspaceError(f"{action} locked", f"尝试次数过多，请{minutes}分钟后再试", 429)


def send_code(session: Session, phone: str, client: str) -> int:
    """Queue a new code for ``phone`` (older ones die); the caller dispatches after commit,
    then calls :func:`forget_sent_code` with the returned outbox id."""
    now = utcnow()
    keys = [throttle.key("send:phone", phone), throttle.key("send:client", client)]
    _refuse_if_locked(session, keys, now, "code request")
    throttle.count(session, keys[0], SEND_PHONE, now)
    throttle.count(session, keys[1], SEND_CLIENT, now)
    session.execute(
        update(SignInCode).where(SignInCode.phone == phone, SignInCode.used_at.is_(None)).values(used_at=now)
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    session.add(
        SignInCode(phone=phone, code_hash=_digest(salt, phone, code), salt=salt, attempts=0,
                   created_at=now, expires_at=now + CODE_TTL)
    )  # fmt: skip
    minutes = int(CODE_TTL.total_seconds() // 60)
    text = f"【市域通办】您的登录验证码是{code}，{minutes}分钟内有效。请勿告诉他人。"
    message = sms.queue(session, phone, text, None, None)
    session.flush()
    return message.id


def forget_sent_code(session: Session, message_id: int) -> None:
    """Once the gateway has it, the outbox keeps no usable code (a message not yet sent
    keeps its text for the retry; it dies with the code's five minutes anyway)."""
    session.execute(
        update(SmsMessage)
        .where(SmsMessage.id == message_id, SmsMessage.status == "sent")
        .values(text=SENT_CODE_TEXT)
    )


def check_code(session: Session, phone: str, code: str, client: str) -> bool:
    """True when ``code`` is the live code of ``phone`` (it is used up); False counts a failure.

    The caller commits either way (a failure must be counted) and refuses with
    :data:`WRONG_CODE` on False. Raises (429) while the number or the client is locked.
    """
    now = utcnow()
    keys = [throttle.key("verify:phone", phone), throttle.key("verify:client", client)]
    _refuse_if_locked(session, keys, now, "sign-in")
    row = session.scalars(
        select(SignInCode)
        .where(SignInCode.phone == phone, SignInCode.used_at.is_(None), SignInCode.expires_at > now)
        .order_by(SignInCode.id.desc())
        .limit(1)
        .with_for_update()
    ).first()
    given = code.strip()[: CODE_DIGITS + 1]
    if row is not None:
        row.attempts += 1
        if hmac.compare_digest(row.code_hash, _digest(row.salt, phone, given)):
            row.used_at = now
            throttle.clear(session, keys[0])
            return True
        if row.attempts >= CODE_ATTEMPTS:
            row.used_at = now  # this code is spent: ask for a new one
    throttle.count(session, keys[0], VERIFY_PHONE, now)
    throttle.count(session, keys[1], VERIFY_CLIENT, now)
    return False


def current_phone() -> str | None:
    """The signed-in resident's phone number, or None."""
    return g.get("online_phone")


def phone_required(view: F) -> F:
    """Views of a resident's own data: GET goes to sign-in (and back), anything else is 401."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_phone() is None:
            if request.method == "GET":
                return redirect(url_for("online.sign_in", next=request.full_path.rstrip("?")))
            raise WorkspaceError("sign-in required", "请先登录", 401)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
