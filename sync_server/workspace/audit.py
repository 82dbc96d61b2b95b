"""The audit log: every view or download of a submission's personal data, and every decision.

Entries are written in the same transaction as the answer's data is read, so a page that
was shown is a page that was logged. ``detail`` holds what was seen (a page position, a
form name, a row count), never the personal data itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from .models import AuditEntry, StaffUser
from .query import day_range, equal

ACTION_LABELS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出",
    "inbox": "查看收件箱",
    "search_id": "按身份证号查询",
    "search_receipt": "按受理编号查询",
    "review": "查看申请详情",
    "page_image": "查看材料页面",
    "form_pdf": "下载表单",
    "result_pdf": "下载办理结果",
    "ledger": "查看台账",
    "ledger_export": "导出台账",
    "decision": "办理操作",
    "triage": "分拣改派",
    "pickups": "查看待领取",
    "audit": "查看审计日志",
    "holidays_import": "导入节假日安排",
    "verify_lookup": "公众核验办理结果",
    "original_arrived": "确认原件寄达",
    "kiosk_result_print": "终端凭证件打印电子结果",
    "catalog_draft": "新建清单草稿",
    "catalog_edit": "编辑清单草稿",
    "catalog_import": "导入清单",
    "catalog_export": "导出清单",
    "catalog_publish": "发布清单版本",
    "ratings": "查看评价",
    "ratings_export": "导出好差评",
    "rating_phone": "记录回访评价",
    "rectifications": "查看整改列表",
    "rectification": "查看整改详情",
    "rectification_step": "整改办理",
    "complaint": "登记投诉",
}


@dataclass(frozen=True)
class Who:
    """The acting user and where the request came from."""

    user_id: int | None
    username: str
    role: str
    remote_addr: str | None
    user_agent: str | None


def record(
    session: Session,
    who: Who,
    action: str,
    *,
    submission_id: int | None = None,
    receipt_no: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        user_id=who.user_id,
        username=who.username[:40],
        role=who.role,
        action=action,
        submission_id=submission_id,
        receipt_no=receipt_no,
        detail=detail or {},
        remote_addr=(who.remote_addr or "")[:64],
        user_agent=(who.user_agent or "")[:200],
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    action: str | None = None
    receipt_no: str | None = None
    day_from: date | None = None
    day_to: date | None = None


def _query(f: AuditFilter) -> Select[tuple[AuditEntry]]:
    pairs = [
        (AuditEntry.username, f.username),
        (AuditEntry.action, f.action),
        (AuditEntry.receipt_no, f.receipt_no),
    ]
    return select(AuditEntry).where(*equal(pairs), *day_range(AuditEntry.at, f.day_from, f.day_to))


def entries(session: Session, f: AuditFilter, before_id: int | None, limit: int) -> list[AuditEntry]:
    """Newest first, keyset-paginated on id."""
    query = _query(f)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))


def usernames(session: Session) -> list[str]:
    return list(session.scalars(select(StaffUser.username).order_by(StaffUser.username)))


def count(session: Session, f: AuditFilter) -> int:
    return session.scalar(select(func.count()).select_from(_query(f).subquery())) or 0
