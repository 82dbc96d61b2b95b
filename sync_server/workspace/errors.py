"""The workspace's one error: refused with a reason staff can read (Chinese) and an English log line."""

from __future__ import annotations


class WorkspaceError(Exception):
    """A request the workspace refuses; ``message_zh`` is shown, ``message`` is logged."""

    def __init__(self, message: str, message_zh: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh
        self.status = status


def not_found() -> WorkspaceError:
    """Out of scope looks exactly like absent: nobody learns what exists elsewhere."""
    return WorkspaceError("not found", "未找到该申请", status=404)


def forbidden() -> WorkspaceError:
    return WorkspaceError("forbidden for this role", "您的角色无权进行此操作", status=403)
