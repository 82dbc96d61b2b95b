"""Staff accounts: argon2id password hashes, creation checks and login with lockout.

A login that names an unknown user still spends one argon2 verification, so the answer
time does not tell which usernames exist. After ``max_failures`` wrong passwords the
account is locked for ``lock_minutes``; the lock, not a slower hash, stops guessing.
The rule is the server's one lock-out rule (:mod:`sync_server.lockout`, the online
sign-in's too); the count is the user's row, locked while a login reads and updates it,
so guesses spread over several nodes behind a load balancer are counted exactly
(docs/deploy.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import utcnow
from ..lockout import Limit, Tally
from ..models import Department, Station
from .errors import WorkspaceError
from .models import StaffUser
from .roles import Role

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("tongban-dummy-password")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise WorkspaceError(
            f"password must be at least {MIN_PASSWORD} characters", f"密码至少 {MIN_PASSWORD} 位"
        )


def create_user(
    session: Session,
    username: str,
    role: Role | str,
    password: str,
    *,
    full_name: str | None = None,
    department_code: str | None = None,
    station_code: str | None = None,
    phone: str | None = None,
) -> StaffUser:
    """A new account; a reviewer needs a department, station staff a station."""
    role = Role(role)
    if not USERNAME.match(username):
        raise WorkspaceError("username: 2-40 lower-case letters, digits, . _ -", "用户名格式不正确")
    check_password_strength(password)
    if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        raise WorkspaceError(f"user {username} already exists", "用户名已存在")
    in_department = role in (Role.reviewer, Role.department_head)
    _check_binding(session, Department, department_code, in_department, "department", "部门")
    _check_binding(session, Station, station_code, role is Role.station_staff, "station", "服务站")
    user = StaffUser(
        username=username,
        full_name=full_name or username,
        role=role.value,
        department_code=department_code,
        station_code=station_code,
        phone=phone,
        password_hash=hash_password(password),
        active=True,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def _check_binding(
    session: Session, model: type, code: str | None, needed: bool, what: str, what_zh: str
) -> None:
    """Reviewers are bound to an active department, station staff to an active station, nobody else."""
    if not needed:
        if code:
            raise WorkspaceError(f"this role is not bound to a {what}", f"该角色不绑定{what_zh}")
        return
    row = session.get(model, code) if code else None
    if row is None or not row.active:
        raise WorkspaceError(f"this role needs an active --{what}", f"该角色须绑定有效的{what_zh}")


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lock_minutes: int = 15

    @property
    def limit(self) -> Limit:
        """Wrong passwords add up (no window) until a login succeeds or the lock ends."""
        return Limit(most=self.max_failures, lock=timedelta(minutes=self.lock_minutes))


def authenticate(
    session: Session, username: str, password: str, policy: LoginPolicy, now: datetime | None = None
) -> StaffUser:
    """The user whose password this is; WorkspaceError (one message for every failure)."""
    now = now or utcnow()
    refused = WorkspaceError("login refused", "用户名或密码错误，或账号已被锁定", status=401)
    # Locked: concurrent guesses at one account, on any node, count one after another.
    by_name = select(StaffUser).where(StaffUser.username == username.strip().lower())
    user = session.scalar(by_name.with_for_update())
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        raise refused
    tally = Tally(user.failed_logins, None, user.locked_until)
    if tally.lock_end(now):
        _verify(_DUMMY_HASH, password)
        raise refused
    if not _verify(user.password_hash, password):
        after = tally.counted(policy.limit, now)
        user.failed_logins, user.locked_until = after.count, after.locked_until
        raise refused
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
