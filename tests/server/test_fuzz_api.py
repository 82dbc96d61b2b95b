"""Schemathesis fuzzes every kiosk API operation in-process, as an enrolled kiosk.

The schema is the server's own ``/api/v1/openapi.json``. Two passes per backend (SQLite
and PostgreSQL): schemathesis's *coverage* cases (boundary values of every length,
bound and pattern, missing and extra fields, unexpected methods; deterministic) and a
bounded number of Hypothesis examples per operation in both generation modes (valid and
deliberately invalid data; ``TONGBAN_FUZZ_EXAMPLES``). Every request carries a really
enrolled kiosk's credentials; manifests and evaluations are steered to that kiosk's
station with what a schema cannot say (a checked ID number, the kiosk's receipt prefix),
so the generated names, codes and texts reach ingest, routing and the tables instead of
stopping at 403. Every answer must be a non-5xx that conforms to the document (status,
content type, headers, body schema; 405 names the allowed methods), and a 2xx must
carry the kiosk's answer signature.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from sqlalchemy import func, select

from shared_schema.protocol import API_PREFIX, SIGNATURE_HEADER, verify
from sync_server.db import get_db
from sync_server.models import Evaluation, Submission

from .conftest import KioskCreds
from .factories import QINSHUI, id_number

EXAMPLES = int(os.environ.get("TONGBAN_FUZZ_EXAMPLES", "50"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ZONES = [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-12)), timezone(timedelta(hours=14))]
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30), timezones=st.sampled_from(ZONES)
)
PAGE_TYPES = ("image/jpeg", "image/png", "image/tiff", "image/webp")


@schemathesis.serializer(*PAGE_TYPES)
def _page_bytes(_ctx: Any, value: Any) -> bytes:
    """Generated page bodies as bytes (the server sniffs them and answers 415 when wrong)."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


class Choices:
    """What the steering decides: drawn by Hypothesis, or fixed for the coverage cases."""

    def __init__(self, draw: Callable[[Any], Any] | None = None) -> None:
        self.draw = draw
        self._seq = itertools.count(1)

    def steer(self) -> bool:
        return self.draw(st.booleans()) if self.draw else True

    def moment(self) -> datetime:
        return self.draw(MOMENTS) if self.draw else datetime(2026, 1, 5, 10, 30, tzinfo=ZONES[1])

    def seq(self) -> int:
        return self.draw(st.integers(1, 9999)) if self.draw else next(self._seq) % 10_000

    def uuid(self) -> uuid.UUID:
        return self.draw(st.uuids()) if self.draw else uuid.uuid4()


def _as_this_kiosk(case: Any, kiosk: KioskCreds, choose: Choices) -> Any:
    """Give a body what the schema cannot say (the kiosk's own station, a checked ID number,
    a receipt number of this kiosk, a time in range), keeping every generated text."""
    body = case.body
    if not isinstance(body, dict) or not choose.steer():
        return case
    if case.operation.path == "/submissions":
        moment, seq = choose.moment(), choose.seq()
        body.update(
            client_uuid=str(choose.uuid()),
            kiosk_id=kiosk.kiosk_id,
            station_code=kiosk.station_code,
            receipt_no=f"{kiosk.station_code}-{kiosk.kiosk_id}-{moment:%Y%m%d}-{seq:04d}",
            created_at=moment.isoformat(),
            completeness={"complete": True, "issues": []},
            delivery={"method": "pickup"},
        )
        body.pop("incomplete_accepted", None)  # only for an incomplete submission
        if isinstance(body.get("applicant"), dict):
            body["applicant"].update(
                kind="person", id_number=id_number(), uscc=None, phone="13800138000", home_division=QINSHUI
            )
        if isinstance(body.get("promise"), dict):
            body["promise"].update(confirmed=True, confirmed_at=moment.isoformat())
        for material in body.get("materials") or []:
            if isinstance(material, dict):
                material["pages"] = []  # nothing uploaded: pages would only be missing_blobs
    elif case.operation.path == "/supplements":
        moment = choose.moment()
        body.update(kiosk_id=kiosk.kiosk_id, station_code=kiosk.station_code, created_at=moment.isoformat())
        body["receipt_no"] = f"{kiosk.station_code}-{kiosk.kiosk_id}-{moment:%Y%m%d}-{choose.seq():04d}"
    elif case.operation.path == "/supplements/lookup":
        body["id_number"] = id_number()
    elif case.operation.path == "/evaluations":
        body.update(station_code=kiosk.station_code, created_at=choose.moment().isoformat())
    elif case.operation.path == "/handovers":  # reaches the case look-up (no such receipt: 404)
        body.update(station_code=kiosk.station_code, handed_at=choose.moment().isoformat())
    elif case.operation.path == "/original-mailings":  # reaches the case look-up (no such receipt: 404)
        body.update(station_code=kiosk.station_code, mailed_at=choose.moment().isoformat())
    elif case.operation.path == "/heartbeat" and body.get("oldest_waiting_at") is not None:
        body["oldest_waiting_at"] = choose.moment().isoformat()
    return case


def _send(case: Any, kiosk: KioskCreds, checks: list[Any]) -> None:
    # the in-process transport does not undo gzip as an HTTP client does (the catalog is gzipped)
    headers = {**kiosk.headers, "Accept-Encoding": "identity"}
    response = case.call(headers=headers)
    case.validate_response(response, checks=checks, headers=headers)
    signed = case.operation.path != "/enroll"  # signed with the secret it hands out
    if signed and (200 <= response.status_code < 300 or response.status_code == 304):
        signature = response.headers.get(SIGNATURE_HEADER.lower(), [None])[0]
        assert verify(kiosk.secret, response.content, signature), case.operation.label


def _operations(app: Any) -> tuple[Any, list[Any]]:
    schema = schemathesis.openapi.from_wsgi(API_PREFIX + "/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    return schema, operations


def _count(app: Any, model: Any) -> int:
    with get_db(app).transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.slow
def test_boundary_values_of_every_operation(app, kiosk):
    schema, operations = _operations(app)
    choose = Choices()
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    sent = 0
    for operation in operations:
        config = schema.config.generation_for(operation=operation, phase="coverage")
        for case in schema.iter_coverage_cases(operation, generation_modes=modes, generation_config=config):
            if case.meta.generation.mode is GenerationMode.POSITIVE:
                _as_this_kiosk(case, kiosk, choose)
            _send(case, kiosk, [*CHECKS, unsupported_method])
            sent += 1
    assert sent > 500
    assert _count(app, Submission) > 0 and _count(app, Evaluation) > 0  # the steering reached the tables


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_never_fail_or_break_the_schema(app, kiosk, mode):
    _, operations = _operations(app)
    for operation in operations:
        _fuzz(operation.as_strategy(generation_mode=mode), kiosk)
    if mode is GenerationMode.POSITIVE:
        assert _count(app, Submission) > 0 and _count(app, Evaluation) > 0


def _fuzz(strategy: Any, kiosk: KioskCreds) -> None:
    @given(data=st.data())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(data: Any) -> None:
        _send(_as_this_kiosk(data.draw(strategy), kiosk, Choices(data.draw)), kiosk, CHECKS)

    run()
