"""HTTP calls to the sync server, and the rule that makes them trustworthy.

Only a 2xx answer carrying a valid ``X-Tongban-Signature`` (HMAC of the raw body under
this kiosk's secret) and a JSON body (a PDF where one is asked for) counts; a captive
portal's or proxy's 200 is a :class:`TransientError`, so the local copy stays until the
real server answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

from shared_schema.protocol import API_PREFIX, SIGNATURE_HEADER, auth_header, verify

from ..store.identity import KioskIdentity
from .errors import MissingBlobs, Refused, TransientError, Unauthorized
from .throttle import ThrottledBody, TokenBucket

USER_AGENT = "tongban-kiosk/1"


@dataclass
class Answer:
    status: int
    body: Any
    raw: bytes
    headers: dict[str, str]


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


class ApiClient:
    """One kiosk's connection to the server (keep-alive session, timeouts, signature check)."""

    def __init__(
        self,
        server_url: str,
        identity: KioskIdentity | None = None,
        *,
        timeout: tuple[float, float] = (10.0, 60.0),
        bucket: TokenBucket | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self.base = self.server_url + API_PREFIX
        self.identity = identity
        self.timeout = timeout
        self.bucket = bucket
        self.http = session or requests.Session()
        self.http.headers["User-Agent"] = USER_AGENT
        if identity is not None:
            self.http.headers.update(auth_header(identity.kiosk_id, identity.secret))

    def close(self) -> None:
        self.http.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
        signed: bool = True,
        expect_json: bool = True,
    ) -> Answer:
        """One request; raises a :class:`SyncError` subclass unless the answer is good."""
        send_headers = dict(headers or {})
        body: Any = None
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            send_headers["Content-Type"] = "application/json"
        elif data is not None:
            body = data
        if body is not None and self.bucket is not None:
            body = ThrottledBody(body, self.bucket)
        try:
            resp = self.http.request(
                method, self.base + path, data=body, headers=send_headers, params=params, timeout=self.timeout
            )
            raw = resp.content
        except requests.RequestException as exc:
            raise TransientError(f"{method} {path}: {self._network_problem(exc)}") from None
        return self._judge(method, path, resp, raw, signed, expect_json)

    def _network_problem(self, exc: requests.RequestException) -> str:
        """One line naming the server and what went wrong, not urllib3's nested repr."""
        if isinstance(exc, requests.Timeout):
            return f"the server at {self.server_url} did not answer in time"
        if isinstance(exc, requests.ConnectionError):
            return f"cannot reach the server at {self.server_url} (is it running, is the network up?)"
        return f"network error talking to {self.server_url}: {type(exc).__name__}"

    def _judge(
        self, method: str, path: str, resp: requests.Response, raw: bytes, signed: bool, expect_json: bool
    ) -> Answer:
        status = resp.status_code
        body = _json_or_none(raw)
        where = f"{method} {path} -> {status}"
        if 200 <= status < 300 or status == 304:
            good = self.identity is not None and verify(
                self.identity.secret, raw, resp.headers.get(SIGNATURE_HEADER)
            )
            if signed and not good:
                raise TransientError(f"{where} without a valid signature (captive portal or proxy?)")
            if status == 304:  # "not modified", signed over the empty body
                return Answer(status, None, raw, dict(resp.headers))
            if body is None and expect_json:
                raise TransientError(f"{where} with a body that is not JSON")
            return Answer(status, body, raw, dict(resp.headers))
        message = body.get("message") if isinstance(body, dict) else None
        detail = f"{where}: {message or raw[:200]!r}"
        if status == 401:
            raise Unauthorized(detail, status=status, body=body)
        if status == 422 and isinstance(body, dict) and body.get("error") == "missing_blobs":
            missing = body.get("missing")
            if isinstance(missing, list) and all(isinstance(h, str) for h in missing):
                raise MissingBlobs(missing, body=body)
        if status in (400, 403, 404, 409, 413, 415, 422) and isinstance(body, dict) and "error" in body:
            raise Refused(detail, status=status, body=body)
        # 5xx, 408, 429, and any 4xx that is not our server's JSON error (a proxy's page)
        raise TransientError(detail, status=status, body=body)
