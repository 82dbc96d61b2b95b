"""PostgreSQL's short path for ingest: the look-ups in one statement, the write in one.

A commit took eleven round trips (BEGIN, the existing-row look-up, the blob check, the
catalog ETag, one insert per table, the feed counter, the feed rows, COMMIT); on a busy
machine every one is a wake-up of this worker and of a PostgreSQL backend, and it cost
more CPU than the work itself. Here it takes four: BEGIN, :func:`look_up`, :func:`write`
(one statement of data-modifying CTEs, the pages' ``blobs`` rows included), COMMIT. The
foreign key from a page to its ``blobs`` row is checked at the end of the statement, so
both may be inserted by it. Same rows, same constraints, same single
transaction as the portable path (``ingest_rows`` + ``events.publish_ids``, used on
SQLite, where a statement costs no round trip); the tests run both.

Child rows travel as one JSON array per table (``jsonb_to_recordset``), so the statement
text never changes and PostgreSQL keeps it prepared. Each row carries its position ``n``;
events are inserted ``ORDER BY n``, which PostgreSQL numbers in that order (what SQLAlchemy's ordered
``RETURNING`` relies on too), so the feed rows follow the events' order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, Dialect, Table

from .models import Submission

_SUBMISSIONS: Table = Submission.__table__  # type: ignore[assignment]
_COLUMNS: list[Column[Any]] = [c for c in _SUBMISSIONS.columns if not c.primary_key]
_PROCESSORS: dict[str, list[tuple[str, Callable[[Any], Any] | None]]] = {}

LOOK_UP = """
SELECT (SELECT etag FROM catalog_releases WHERE is_current LIMIT 1),
       s.client_uuid, s.receipt_no, s.content_digest, s.ack_body
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT client_uuid, receipt_no, content_digest, ack_body FROM submissions
    WHERE client_uuid = %(uuid)s OR receipt_no = %(receipt)s
    LIMIT 1
) AS s ON true
"""

WRITE = f"""
WITH b AS (
    INSERT INTO blobs (sha256, size, content_type, created_at)
    SELECT v.sha256, v.size, v.content_type, %(received_at)s
    FROM jsonb_to_recordset(%(_blobs)s::jsonb) AS v(sha256 text, size bigint, content_type text)
    ON CONFLICT (sha256) DO NOTHING
), s AS (
    INSERT INTO submissions ({", ".join(c.name for c in _COLUMNS)})
    VALUES ({", ".join(f"%({c.key})s" for c in _COLUMNS)})
    RETURNING id
), p AS (
    INSERT INTO submission_pages
        (submission_id, position, material_index, page_index, requirement_code, sha256)
    SELECT s.id, v.position, v.material_index, v.page_index, v.requirement_code, v.sha256
    FROM s, jsonb_to_recordset(%(_pages)s::jsonb) AS v(
        position int, material_index int, page_index int, requirement_code text, sha256 text)
), d AS (
    INSERT INTO routing_decisions
        (submission_id, department_code, rule, reason_en, reason_zh, decided_at, decided_by)
    SELECT s.id, v.department_code, v.rule, v.reason_en, v.reason_zh, v.decided_at, v.decided_by
    FROM s, jsonb_to_recordset(%(_decisions)s::jsonb) AS v(
        department_code text, rule text, reason_en text, reason_zh text, decided_at timestamptz,
        decided_by text)
), e AS (
    INSERT INTO submission_events (submission_id, state, at, message_zh, detail, actor)
    SELECT s.id, v.state, v.at, v.message_zh, v.detail, v.actor
    FROM s, jsonb_to_recordset(%(_events)s::jsonb) AS v(
        n int, state text, at timestamptz, message_zh text, detail jsonb, actor text)
    ORDER BY v.n
    RETURNING id
), l AS (
    INSERT INTO submission_lookups (submission_id, id_digest)
    SELECT s.id, %(_id_digest)s::text FROM s WHERE %(_id_digest)s::text IS NOT NULL
), k AS (
    UPDATE kiosks SET feed_seq = feed_seq + %(_n_events)s
    WHERE kiosk_id = %(_kiosk)s
    RETURNING feed_seq
)
INSERT INTO feed_entries (kiosk_id, seq, event_id)
SELECT %(_kiosk)s, k.feed_seq - %(_n_events)s + row_number() OVER (ORDER BY e.id), e.id
FROM e, k
"""

# the JSON parameter of each child table: (relationship, fields in the recordset's order)
_CHILDREN: dict[str, tuple[str, tuple[str, ...]]] = {
    "_pages": ("pages", ("position", "material_index", "page_index", "requirement_code", "sha256")),
    "_decisions": (
        "decisions",
        ("department_code", "rule", "reason_en", "reason_zh", "decided_at", "decided_by"),
    ),
    "_events": ("events", ("state", "at", "message_zh", "detail", "actor")),
}


@dataclass(frozen=True)
class Found:
    """What ingest must know before it writes; ``etag`` only when ``row`` is None."""

    row: Any  # client_uuid, receipt_no, content_digest, ack_body of the submission there, or None
    etag: str | None


def look_up(connection: Connection, client_uuid: Any, receipt_no: str) -> Found:
    """The submission already stored under this UUID or receipt, else the catalog ETag."""
    params = {"uuid": client_uuid, "receipt": receipt_no}
    etag, *row = connection.exec_driver_sql(LOOK_UP, params).one()
    if row[0] is not None:
        return Found(_Row(*row), None)
    return Found(None, etag)


@dataclass(frozen=True)
class _Row:
    client_uuid: Any
    receipt_no: str
    content_digest: str
    ack_body: str


def write(
    connection: Connection,
    submission: Submission,
    kiosk_id: str,
    id_digest: str | None,
    blobs: list[dict[str, Any]],
) -> None:
    """Insert ``submission`` (built in memory, never in a session), its pages' ``blobs`` rows
    (``blobs.blob_rows``; those already there are left alone), its search digest (when it
    has one) and its feed rows for one kiosk."""
    state = submission.__dict__
    params: dict[str, Any] = {}
    for key, process in _bind_processors(connection.dialect):
        value = state.get(key)
        params[key] = process(value) if process and value is not None else value
    for name, (relation, fields) in _CHILDREN.items():
        rows = [{"n": n, **_pick(child, fields)} for n, child in enumerate(getattr(submission, relation))]
        params[name] = _json(rows)
    params["_blobs"] = _json([{k: b[k] for k in ("sha256", "size", "content_type")} for b in blobs])
    params["_n_events"] = len(submission.events)
    params["_kiosk"] = kiosk_id
    params["_id_digest"] = id_digest
    connection.exec_driver_sql(WRITE, params)


def _bind_processors(dialect: Dialect) -> list[tuple[str, Callable[[Any], Any] | None]]:
    """Each column's value conversion (JSONB, UTC times …), as SQLAlchemy would bind it."""
    found = _PROCESSORS.get(dialect.name)
    if found is None:
        found = [(c.key, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in _COLUMNS]
        _PROCESSORS[dialect.name] = found
    return found


def _pick(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    state = obj.__dict__
    return {name: state.get(name) for name in names}


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, default=_iso)


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()  # aware: PostgreSQL's timestamptz cast keeps the instant
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
