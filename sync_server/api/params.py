"""URL parts of API requests: the whole URL, path parameters, query parameters.

Each parameter is declared once and used twice: the view reads it through its
declaration, and the OpenAPI document (``openapi.py``) publishes the same bounds, so the
schema and the server cannot disagree about what is allowed (400 ``bad_parameter``).
Every API URL is checked before routing: too long → 414, a NUL → 400 (PostgreSQL refuses
NUL in any string it is asked to compare).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import request
from werkzeug.routing import BaseConverter

from shared_schema.bounds import INT64_MAX, RECEIPT_NO_LEN
from shared_schema.catalog import CATALOG_FORMAT
from shared_schema.submission import RECEIPT_NO

from ..errors import ApiError, is_api_path

MAX_URL_BYTES = 4096
"""Longest API URL (path and query) served; gunicorn reads request lines up to 8190."""


def _bad(name: str, rule: str) -> ApiError:
    return ApiError(400, "bad_parameter", f"{name} must be {rule}", "请求参数无效", {"parameter": name})


@dataclass(frozen=True)
class IntParam:
    """An optional integer query parameter in ``[low, high]``."""

    name: str
    low: int
    high: int
    description: str

    def read(self, default: int) -> int:
        raw = request.args.get(self.name)
        if raw is None:
            return default
        value = int(raw) if re.fullmatch(r"[0-9]{1,19}", raw) else self.low - 1
        if not self.low <= value <= self.high:
            raise _bad(self.name, f"an integer in [{self.low}, {self.high}]")
        return value

    def openapi(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": "query",
            "required": False,
            "description": self.description,
            "schema": {"type": "integer", "minimum": self.low, "maximum": self.high},
        }


@dataclass(frozen=True)
class PathParam:
    """A path segment that must match ``pattern`` and be at most ``max_length`` long."""

    name: str
    pattern: str
    max_length: int

    def check(self, value: str) -> str:
        if len(value) > self.max_length or not re.fullmatch(self.pattern, value):
            raise _bad(self.name, f"at most {self.max_length} characters matching {self.pattern}")
        return value

    def openapi(self) -> dict[str, Any]:
        schema = {"type": "string", "pattern": self.pattern, "maxLength": self.max_length}
        return {"name": self.name, "in": "path", "required": True, "schema": schema}


class BlobSegment(BaseConverter):
    """``<blob:sha256>``: any segment but ``missing``, which names ``POST /blobs/missing`` —
    so ``PUT /blobs/missing`` is a 405 naming POST, as the OpenAPI document implies, not a
    bad hash. (The view checks the hash itself: 400 ``bad_hash``.)"""

    regex = r"(?!missing$)[^/]+"


CATALOG_FORMAT_PARAM = IntParam(
    "format", 1, CATALOG_FORMAT, "catalog JSON format the kiosk reads (default 1: the first release's)"
)
FEED_AFTER = IntParam("after", 0, INT64_MAX, "cursor: the last seq seen")
FEED_LIMIT = IntParam("limit", 1, 10**6, "page size (the server answers at most FEED_PAGE_LIMIT)")
RECEIPT = PathParam("receipt_no", RECEIPT_NO, RECEIPT_NO_LEN)
SHA256 = PathParam("sha256", r"^[0-9a-f]{64}$", 64)
RESULT_ID = PathParam("result_id", r"^[A-Za-z0-9_-]+$", 40)


def check_url() -> None:
    """``before_request`` for the whole app: API URLs that no view should ever see."""
    if not is_api_path(request.path):
        return
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
    if len(raw) > MAX_URL_BYTES:
        raise ApiError(
            414,
            "uri_too_long",
            f"the URL is longer than {MAX_URL_BYTES} bytes",
            "请求地址过长",
            {"max_bytes": MAX_URL_BYTES},
        )
    parts = [request.path, *(text for pair in request.args.items(multi=True) for text in pair)]
    if any("\x00" in part for part in parts):
        raise ApiError(400, "bad_parameter", "the URL contains a NUL character", "请求地址无效")
