"""The models and the schema the migrations build are the same, on SQLite and PostgreSQL.

Tests and ``create_app`` trust the models; production databases are built by the
migrations. The ``app`` fixture's database is migrated to head, and ``create_app`` has
imported every model module the server runs with, so ``Base.metadata`` holds all their
tables (a module ``migrations/env.py`` forgot shows up as a table the migrations never
built). Alembic's ``compare_metadata`` lists every table, column, type, nullability,
server default, index, unique and foreign key that differs.

Nothing is ignored: the dashboard roll-up tables (``dashboard_volume_months``,
``dashboard_rating_months``) are models (``sync_server.workspace.dashboard_rollups``); the
triggers and PL/pgSQL functions that keep them are not objects autogenerate compares
(``tests/workspace/test_dashboard_rollups.py::test_the_triggers_are_there`` checks them);
``alembic_version`` is Alembic's own and left out by it.

Revision e2c5a9f7b3d1 closed the two differences this test first found
(``tests/workspace/test_models_agree_migration.py``).
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask

from sync_server.db import Base, get_db


def test_models_are_the_migrated_schema(app: Flask) -> None:
    with get_db(app).engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, Base.metadata)
    assert {"escalation_steps", "online_correction_pages", "dashboard_volume_months"} <= set(
        Base.metadata.tables
    )
    assert differences == []
