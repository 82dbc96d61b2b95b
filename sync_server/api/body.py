"""JSON request bodies: media type, JSON text, nesting depth, then the endpoint's model.

Every JSON endpoint parses its body here, so each refusal is the same everywhere:
415 ``unsupported_media_type`` (not ``application/json``), 400 ``malformed_json`` (not
JSON, or ``NaN``/``Infinity``, which no database stores), 400 ``too_deep`` (nested past
:data:`MAX_DEPTH`: no request model goes deeper than a handful of levels, and a
100,000-deep document must not exhaust the stack), 422 ``schema_violation`` listing every
bad field. The models (``shared_schema``) carry the bounds: lengths that fit the
columns, no NUL, integers that fit theirs, timestamps with a zone in the calendar's range.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn, TypeVar

from flask import request

from shared_schema import SchemaError
from shared_schema.base import SchemaModel

from ..errors import ApiError
from .io import body_deadline

M = TypeVar("M", bound=SchemaModel)
JSON_TYPE = "application/json"
MAX_DEPTH = 32


def parse_body(model: type[M], what: str) -> M:
    """The request body as ``model``, or the :class:`ApiError` that says what is wrong."""
    check_json_type(what)
    with body_deadline():
        raw = request.get_data(cache=False)
    data = _load(raw, what)
    try:
        return model.parse(data, source=request.path)
    except SchemaError as exc:
        raise ApiError.from_schema_error(exc, what) from None


def check_json_type(what: str) -> None:
    kind = (request.mimetype or "").lower()
    if kind != JSON_TYPE:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"the {what} must be sent as {JSON_TYPE}, not {kind or '(no Content-Type)'}",
            "请求内容类型错误，应为 JSON",
            {"allowed": [JSON_TYPE]},
        )


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _load(raw: bytes, what: str) -> Any:
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        _too_deep(what)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            400, "malformed_json", f"the {what} is not valid JSON", "请求内容不是有效的 JSON"
        ) from None
    if depth(data) > MAX_DEPTH:
        _too_deep(what)
    return data


def _too_deep(what: str) -> NoReturn:
    raise ApiError(
        400,
        "too_deep",
        f"the {what} is nested deeper than {MAX_DEPTH} levels",
        "请求内容层级过深",
        {"max_depth": MAX_DEPTH},
    ) from None


def depth(data: Any) -> int:
    """How deeply arrays and objects nest in ``data`` (a scalar: 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest
