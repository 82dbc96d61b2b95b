"""Write a new submission, built in memory as ORM objects, with a few Core inserts.

Ingest builds the submission, its pages, routing decision and first events as ORM
objects (so routing and events share their code with the department workspace), but
never adds them to a session: the unit of work spent ~4 ms of Python per submission on
six new objects, more than everything else in the commit. Here each table gets one
prepared ``INSERT`` (pages and events as one multi-row statement each), built once per
process so SQLAlchemy's compiled cache is hit without building the statement again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, insert

from .blobs import record_blobs
from .models import RoutingDecision, Submission, SubmissionEvent, SubmissionLookup, SubmissionPage

_SUBMISSIONS: Table = Submission.__table__  # type: ignore[assignment]
_PAGES: Table = SubmissionPage.__table__  # type: ignore[assignment]
_DECISIONS: Table = RoutingDecision.__table__  # type: ignore[assignment]
_EVENTS: Table = SubmissionEvent.__table__  # type: ignore[assignment]

_INSERT_SUBMISSION = insert(_SUBMISSIONS).returning(_SUBMISSIONS.c.id)
_INSERT_PAGES = insert(_PAGES)
_INSERT_DECISIONS = insert(_DECISIONS)
_INSERT_LOOKUP = insert(SubmissionLookup)
# one multi-row insert; ids come back in the order of the rows given (the feed needs them)
_INSERT_EVENTS = insert(_EVENTS).returning(_EVENTS.c.id, sort_by_parameter_order=True)


def _values(obj: Any, table: Table, **extra: Any) -> dict[str, Any]:
    """The column values set on a transient object (unset ones take the column default)."""
    state = obj.__dict__
    row = {c.key: state[c.key] for c in table.columns if c.key in state}
    row.update(extra)
    return row


def insert_submission(
    connection: Connection, submission: Submission, id_digest: str | None, blobs: list[dict[str, Any]]
) -> list[int]:
    """Insert ``submission`` with its pages' ``blobs`` rows (where missing), pages, decisions,
    events and search digest (when it has one); the event ids, in order."""
    record_blobs(connection, blobs)
    sub_id = connection.execute(_INSERT_SUBMISSION, _values(submission, _SUBMISSIONS)).scalar_one()
    if id_digest:
        connection.execute(_INSERT_LOOKUP, {"submission_id": sub_id, "id_digest": id_digest})
    for table, statement, children in (
        (_PAGES, _INSERT_PAGES, submission.pages),
        (_DECISIONS, _INSERT_DECISIONS, submission.decisions),
    ):
        if children:
            connection.execute(statement, [_values(c, table, submission_id=sub_id) for c in children])
    if not submission.events:
        return []
    rows = [_values(e, _EVENTS, submission_id=sub_id) for e in submission.events]
    return list(connection.execute(_INSERT_EVENTS, rows).scalars())
