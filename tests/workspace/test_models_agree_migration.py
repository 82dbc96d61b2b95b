"""Revision e2c5a9f7b3d1 narrows a correction page's item key to the boundary's 50
characters without cutting a stored one short, renames the escalation log's unique key,
keeps the rows and the dashboard triggers, and downgrades back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from sync_server import migrate
from sync_server.db import Database

from .conftest import BACKENDS, database_at
from .test_dashboard_notice_clock import _insert_old

BEFORE, AGREE = "d7f2c8a4b1e9", "e2c5a9f7b3d1"
PAGE = (
    "INSERT INTO online_correction_pages (submission_id, correction_round, item_key, sha256, content_type,"
    " size, width, height, job_id, created_at) VALUES (:case, 1, :key, 'h', 'image/jpeg', 1, 1, 1, 'j', :at)"
)
STEP = (
    "INSERT INTO escalation_steps (submission_id, clock, due, level, recipient, recipient_role, channel,"
    " text, at) VALUES (:case, 'notice', :due, 'warn', 'a', 'officer', 'workspace', 't', :at)"
)


@pytest.fixture(params=BACKENDS)
def before(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_at(request.param, tmp_path, BEFORE) as url:
        yield url


def _key_length(engine: Engine) -> int:
    column = next(
        c for c in inspect(engine).get_columns("online_correction_pages") if c["name"] == "item_key"
    )
    return column["type"].length


def _step_key(engine: Engine) -> str:
    return inspect(engine).get_unique_constraints("escalation_steps")[0]["name"]


def test_item_key_narrowed_step_key_renamed_rows_kept(before: str) -> None:
    db = Database(before)
    try:
        with db.transaction(write=True) as session:
            case = next(iter(_insert_old(session).values()))
            at = {"case": case, "at": "2026-12-03T00:00:00+00:00", "due": date(2026, 12, 4)}
            session.execute(text(PAGE), {**at, "key": "k" * 51})  # never let in by the boundary
            session.execute(text(STEP), at)
        with pytest.raises(RuntimeError, match="item_key over 50 characters"):
            migrate.upgrade(before, AGREE)
        assert migrate.current_revision(db.engine) == BEFORE
        with db.transaction(write=True) as session:
            session.execute(text("UPDATE online_correction_pages SET item_key = :k"), {"k": "k" * 50})
        migrate.upgrade(before, AGREE)
        db.engine.dispose()  # a fresh look at the rebuilt tables
        assert (_key_length(db.engine), _step_key(db.engine)) == (50, "uq_escalation_steps_step")
        with db.transaction() as session:
            assert session.scalars(text("SELECT item_key FROM online_correction_pages")).all() == ["k" * 50]
            assert session.scalars(text("SELECT count(*) FROM escalation_steps")).one() == 1
        with pytest.raises(IntegrityError), db.transaction(write=True) as session:
            session.execute(text(STEP), at)  # the same step twice: still refused
        command.downgrade(migrate.alembic_config(before), BEFORE)
        db.engine.dispose()
        assert (_key_length(db.engine), _step_key(db.engine)) == (64, "uq_escalation_steps_submission_id")
        with db.transaction() as session:
            assert session.scalars(text("SELECT item_key FROM online_correction_pages")).all() == ["k" * 50]
    finally:
        db.dispose()
