"""Alembic environment for the sync server (driven by :mod:`sync_server.migrate`).

``render_as_batch=True`` lets ALTERs run on SQLite (copy-and-move), and the naming
convention in :mod:`sync_server.db` gives every constraint a name batch mode can find.
"""

from __future__ import annotations

from alembic import context

from sync_server import models  # noqa: F401  (fills Base.metadata)
from sync_server.db import Base, UtcDateTime, make_engine
from sync_server.online import correction_pages as _correction_pages  # noqa: F401  (its table)
from sync_server.online import models as _online_models  # noqa: F401  (its tables)
from sync_server.workspace import dashboard_rollups as _dashboard_rollups  # noqa: F401  (its tables)
from sync_server.workspace import models as _workspace_models  # noqa: F401  (its tables)
from sync_server.workspace import supervision_models as _supervision_models  # noqa: F401

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context) -> str | bool:  # type: ignore[no-untyped-def]
    """Write our column types as plain SQLAlchemy ones, so revisions never import app code."""
    if type_ != "type":
        return False
    if isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if getattr(obj, "_variant_mapping", None):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    return False


# Batch mode (SQLite ALTERs) and plain types, online and offline alike.
OPTIONS = {"target_metadata": target_metadata, "render_as_batch": True, "render_item": render_item}


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, compare_type=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
