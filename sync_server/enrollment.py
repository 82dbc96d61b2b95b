"""Kiosk credentials: one-time enrollment codes, enrollment, authentication, revocation.

Codes and secrets are stored as SHA-256 hashes only. A code is spent by one atomic
``UPDATE … WHERE used_at IS NULL``, so two kiosks racing with the same code cannot both
enroll. Failures (unknown, spent, expired code; unknown or revoked kiosk) are ApiErrors.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared_schema.api import EnrollAnswer
from shared_schema.feedback_no import MAX_KIOSK

from .db import utcnow
from .errors import ApiError
from .models import EnrollmentCode, Kiosk, ServerSetting, Station

# Crockford-like: no 0/O, 1/I/L or U, so a code read aloud or typed is unambiguous.
ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 16  # ~78 bits


@dataclass(frozen=True)
class KioskPrincipal:
    """Who is calling: enough to authorise and to sign the answer (never stored)."""

    kiosk_id: str
    station_code: str
    secret: str


def hash_token(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalize_code(code: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", code.upper())


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def create_code(session: Session, station_code: str, ttl: timedelta, now: datetime | None = None) -> str:
    """A new one-time code for ``station_code``, formatted ``ABCD-EFGH-…``; only its hash is kept."""
    station = session.get(Station, station_code)
    if station is None or not station.active:
        raise ApiError(404, "unknown_station", f"no active station {station_code}", "未找到该服务站")
    now = now or utcnow()
    code = _random(ALPHABET, CODE_LENGTH)
    session.add(
        EnrollmentCode(
            code_hash=hash_token(code), station_code=station_code, created_at=now, expires_at=now + ttl
        )
    )
    session.flush()
    return format_code(code)


def installation_id(session: Session) -> str:
    """A random id of this server installation, created once (``server_key_id``)."""
    row = session.get(ServerSetting, "installation_id")
    if row is None:
        row = ServerSetting(key="installation_id", value=secrets.token_hex(8))
        session.add(row)
        session.flush()
    return row.value


def _new_kiosk_id(session: Session) -> str:
    while True:
        kiosk_id = "K" + _random(ALPHABET, 5)
        if session.get(Kiosk, kiosk_id) is None:
            return kiosk_id


def enroll(
    session: Session, code: str, name: str | None, profile: str, now: datetime | None = None
) -> EnrollAnswer:
    """Spend ``code`` and create the kiosk; the answer holds the only copy of its secrets."""
    now = now or utcnow()
    code_hash = hash_token(normalize_code(code))
    kiosk_id = _new_kiosk_id(session)
    spent = session.execute(
        update(EnrollmentCode)
        .where(
            EnrollmentCode.code_hash == code_hash,
            EnrollmentCode.used_at.is_(None),
            EnrollmentCode.expires_at > now,
        )
        .values(used_at=now, kiosk_id=kiosk_id)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise _code_refused(session, code_hash)
    row = session.scalars(select(EnrollmentCode).where(EnrollmentCode.code_hash == code_hash)).one()
    secret = secrets.token_urlsafe(32)
    bundle_key = secrets.token_hex(32)
    kiosk = Kiosk(
        kiosk_id=kiosk_id,
        station_code=row.station_code,
        name=name,
        profile=profile,
        secret_hash=hash_token(secret),
        bundle_key=bundle_key,
        enrolled_at=now,
    )
    _add_with_feedback_prefix(session, kiosk)
    return EnrollAnswer(
        kiosk_id=kiosk_id,
        station_code=row.station_code,
        secret=secret,
        bundle_key=bundle_key,
        server_key_id=installation_id(session),
    )


def _add_with_feedback_prefix(session: Session, kiosk: Kiosk, tries: int = 5) -> None:
    """Insert the kiosk with the next feedback prefix (shared_schema.feedback_no). Two
    enrollments at once may pick the same one: the unique constraint refuses the second,
    which takes the next (a savepoint keeps the spent code)."""
    for _ in range(tries):
        last = session.scalar(select(func.max(Kiosk.feedback_prefix))) or 0
        if last >= MAX_KIOSK:
            raise ApiError(503, "no_feedback_prefix", f"all {MAX_KIOSK} feedback prefixes are given out",
                           "终端编号已用尽，请联系系统管理员")  # fmt: skip
        kiosk.feedback_prefix = last + 1
        try:
            with session.begin_nested():
                session.add(kiosk)
                session.flush()
            return
        except IntegrityError:  # the savepoint's rollback took the kiosk out of the session
            continue
    raise ApiError(503, "enrollment_busy", "too many enrollments at once; try again", "注册繁忙，请稍后重试")


def _code_refused(session: Session, code_hash: str) -> ApiError:
    row = session.scalars(select(EnrollmentCode).where(EnrollmentCode.code_hash == code_hash)).first()
    if row is None:
        reason, en = "unknown_code", "unknown enrollment code"
    elif row.used_at is not None:
        reason, en = "code_spent", "this enrollment code has already been used"
    else:
        reason, en = "code_expired", "this enrollment code has expired"
    return ApiError(404, reason, en, "注册码无效、已使用或已过期，请向管理员重新申请")


def authenticate(db: Session | Connection, kiosk_id: str, secret: str) -> KioskPrincipal:
    """Check a presented secret (every kiosk request): one plain SELECT, no ORM objects."""
    kiosk = db.execute(
        select(Kiosk.station_code, Kiosk.secret_hash, Kiosk.revoked_at).where(Kiosk.kiosk_id == kiosk_id)
    ).first()
    if kiosk is None or not hmac.compare_digest(kiosk.secret_hash, hash_token(secret)):
        raise ApiError(401, "unknown_kiosk", "unknown kiosk or wrong secret", "终端未注册或凭据错误")
    if kiosk.revoked_at is not None:
        raise ApiError(
            401, "kiosk_revoked", "this kiosk's credentials were revoked", "终端凭据已被吊销，请重新注册"
        )
    return KioskPrincipal(kiosk_id, kiosk.station_code, secret)


def revoke(session: Session, kiosk_id: str, now: datetime | None = None) -> Kiosk:
    from .auth_cache import bump_generation, forget  # (auth_cache builds on this module)

    forget(kiosk_id)
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise ApiError(404, "unknown_kiosk", f"no kiosk {kiosk_id}", "未找到该终端")
    if kiosk.revoked_at is None:
        kiosk.revoked_at = now or utcnow()
        bump_generation(session)  # every node's cache drops its checks (auth_cache)
    return kiosk
