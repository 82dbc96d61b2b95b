"""Live servers start from a copy of a session template (tests/support/live_server.py).

The copy must be what ``init-db`` makes of an empty database: the same tables, schema
revision and catalog rows, on SQLite and PostgreSQL. A database that is not empty (a
second node on a shared database) still gets the real ``init-db``, never a copy over it.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.support.live_server import _TEMPLATES, LiveServer, _init_db, drop_database, fresh_database

BACKENDS = ["sqlite", *(["postgresql"] if os.environ.get("TONGBAN_TEST_PG") else [])]
CATALOG = ["catalog_releases", "divisions", "departments", "stations", "matters", "department_matters"]


def _contents(url: str) -> dict[str, object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            found: dict[str, object] = {"tables": tables}
            found["revision"] = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            for table in CATALOG:
                found[table] = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            found["current"] = conn.execute(
                text("SELECT version, etag FROM catalog_releases WHERE is_current")
            ).all()
        return found
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_copied_database_is_what_init_db_makes(backend, tmp_path):
    copied_url = fresh_database(backend, tmp_path / "copied")
    made_url = fresh_database(backend, tmp_path / "made")
    try:
        LiveServer(tmp_path / "copied" / "home", copied_url)
        assert backend in _TEMPLATES and _TEMPLATES[backend] != copied_url
        _init_db(tmp_path / "made" / "home", made_url)
        copied, made = _contents(copied_url), _contents(made_url)
        assert copied == made
        assert copied["stations"] and copied["matters"] and copied["current"]
    finally:
        drop_database(copied_url)
        drop_database(made_url)


def test_a_database_in_use_is_initialised_not_replaced(tmp_path):
    url = fresh_database("sqlite", tmp_path)
    LiveServer(tmp_path / "a", url)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:  # what the first node wrote
            conn.execute(text("CREATE TABLE first_node (note TEXT)"))
            conn.execute(text("INSERT INTO first_node VALUES ('written')"))
        LiveServer(tmp_path / "b", url)  # a second node on the same database: init-db, in place
        with engine.connect() as conn:
            assert conn.execute(text("SELECT note FROM first_node")).scalar_one() == "written"
        expected = _contents(_TEMPLATES["sqlite"])
        expected["tables"] = sorted([*expected["tables"], "first_node"])  # type: ignore[misc]
        assert _contents(url) == expected
    finally:
        engine.dispose()
