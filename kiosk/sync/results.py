"""Result PDFs from the server: those announced for pickup here, and electronic results
a resident asks for at any kiosk.

Both answers are PDFs signed like every other answer (:mod:`kiosk.sync.client`), with
the SHA-256 of the body in ``X-Tongban-Result-Sha256``. An announced result must match
the hash its feed event named before it is sealed into the store; an electronic result
asked for here is checked against its header and printed, never written to the store.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from urllib.parse import quote

from shared_schema import SchemaError
from shared_schema.api import ElectronicResultRequest
from shared_schema.protocol import RESULT_SHA256_HEADER

from ..store import results
from ..store.home import KioskStore
from .client import ApiClient
from .errors import Refused, SyncError, TransientError

log = logging.getLogger(__name__)

NOT_FOUND_ZH = "未找到该受理编号和证件号码对应的电子办理结果，请核对后重试"
LIMITED_ZH = "查询过于频繁，请一分钟后再试"
OFFLINE_ZH = "暂时连不上服务器，无法查询电子结果，请稍后再试或联系工作人员"
BAD_INPUT_ZH = "受理编号或证件号码格式不正确，请核对后重新输入"
DAMAGED_ZH = "电子结果传输不完整，请重试"


def fetch_announced(store: KioskStore, client: ApiClient) -> int:
    """Fetch and seal every announced electronic result not yet stored; how many were stored.

    Network trouble propagates (the sync cycle retries); a refusal or a file that does
    not match its announced hash is recorded on the row and logged, and tried again next
    cycle, never stored."""
    stored = 0
    for row in results.to_fetch(store):
        path = f"/results/{quote(row.result_id, safe='')}"
        try:
            answer = client.call("GET", path, expect_json=False)
            results.keep(store, row.result_id, answer.raw)
        except (Refused, ValueError) as exc:
            log.error("result %s for %s not stored: %s", row.result_id, row.receipt_no, exc)
            results.record_failure(store, row.result_id, str(exc))
            continue
        stored += 1
    return stored


@dataclass(frozen=True)
class ElectronicResult:
    receipt_no: str
    sha256: str
    pdf: bytes


class ResultRefused(Exception):
    """The resident cannot have the result now; ``message_zh`` says why, in their words."""

    def __init__(self, message_zh: str, reason: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.reason = reason


def fetch_electronic(client: ApiClient, receipt_no: str, identity: str) -> ElectronicResult:
    """``POST /results/electronic``: the resident's result, proven by receipt + ID number."""
    try:
        ask = ElectronicResultRequest.parse(
            {"receipt_no": receipt_no.strip().upper(), "identity": identity.strip()}, source="kiosk input"
        )
    except SchemaError:
        raise ResultRefused(BAD_INPUT_ZH, "bad_input") from None
    try:
        answer = client.call("POST", "/results/electronic", json_body=ask.to_json_dict(), expect_json=False)
    except Refused as exc:
        raise ResultRefused(NOT_FOUND_ZH, exc.code) from None
    except TransientError as exc:
        if exc.status == 429:
            raise ResultRefused(LIMITED_ZH, "rate_limited") from None
        raise ResultRefused(OFFLINE_ZH, "offline") from None
    except SyncError:
        raise ResultRefused(OFFLINE_ZH, "offline") from None
    digest = hashlib.sha256(answer.raw).hexdigest()
    if answer.headers.get(RESULT_SHA256_HEADER) != digest or not answer.raw.startswith(b"%PDF-"):
        raise ResultRefused(DAMAGED_ZH, "damaged")
    return ElectronicResult(ask.receipt_no, digest, answer.raw)
