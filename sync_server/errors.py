"""One error type for the API: status code, reason code, English and Chinese message.

Views and services raise :class:`ApiError`; the handlers here turn it (and werkzeug's own
HTTP errors) into the JSON body of docs/sync-protocol.md. Logs get the reason code and
the English message only, never the request body (it may hold personal data).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from shared_schema import SchemaError
from shared_schema.protocol import API_PREFIX

log = logging.getLogger("tongban.server")


class ApiError(Exception):
    """An answer the client must act on; ``details`` is JSON (never personal data)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        message_zh: str,
        details: dict[str, Any] | None = None,
        **top_level: Any,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.message_zh = message_zh
        self.details = details or {}
        self.top_level = top_level
        self.headers: dict[str, str] = {}  # e.g. Retry-After on a 429

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "message": self.message,
            "message_zh": self.message_zh,
            "details": self.details,
            **self.top_level,
        }

    @classmethod
    def from_schema_error(cls, exc: SchemaError, what: str) -> ApiError:
        """422 listing every bad field (paths and messages, not the bad values)."""
        problems = [{"path": p.path, "message": p.message} for p in exc.problems]
        return cls(
            422,
            "schema_violation",
            f"the {what} does not match the schema ({len(problems)} problem(s))",
            "提交的数据格式不符合要求",
            {"problems": problems},
        )


# werkzeug's errors that reach us without an ApiError: reason code and Chinese text.
_HTTP_REASONS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求格式错误"),
    401: ("unauthorized", "终端未认证"),
    403: ("forbidden", "无权访问"),
    404: ("not_found", "未找到"),
    405: ("method_not_allowed", "不支持的请求方式"),
    411: ("length_required", "缺少内容长度"),
    413: ("too_large", "上传内容过大"),
    414: ("uri_too_long", "请求地址过长"),
    415: ("unsupported_media_type", "不支持的文件类型"),
}
# werkzeug's own headers worth keeping on a JSON error (405 must say what is allowed).
_KEPT_HEADERS = ("Allow", "Retry-After")


def error_response(error: ApiError) -> Response:
    response = jsonify(error.to_dict())
    response.status_code = error.status
    response.headers.update(error.headers)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _handle_api_error(error: ApiError) -> Response:
    log.info("api error %s %s", error.status, error.code)
    return error_response(error)


def is_api_path(path: str) -> bool:
    """Under the kiosk API prefix, however many slashes lead (``//api/v1/…`` reaches us too)."""
    path = "/" + path.lstrip("/")
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def _is_api() -> bool:
    """JSON errors for the kiosk API only; the workspace's HTML pages keep their own."""
    return is_api_path(request.path)


def _handle_http_error(error: HTTPException) -> Response | HTTPException:
    if not _is_api():
        return error
    status = error.code or 500
    code, zh = _HTTP_REASONS.get(status, ("http_error", "请求失败"))
    response = error_response(ApiError(status, code, error.description or error.name, zh))
    for name, value in error.get_headers():
        if name in _KEPT_HEADERS:
            response.headers[name] = value
    return response


def _handle_unexpected(error: Exception) -> Response | HTTPException:
    log.exception("unexpected server error (%s)", type(error).__name__)
    if not _is_api():
        return InternalServerError()
    return error_response(
        ApiError(500, "internal_error", "internal server error", "服务器内部错误，请稍后重试")
    )


def init_app(app: Flask) -> None:
    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(Exception, _handle_unexpected)
