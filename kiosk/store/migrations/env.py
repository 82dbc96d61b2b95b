"""Alembic environment of the kiosk database (driven by :mod:`kiosk.store.migrate`).

The kiosk passes its own connection (``config.attributes["connection"]``), opened with
foreign keys off: a batch ALTER on SQLite copies a table and drops the old one, and with
foreign keys on that DROP would cascade-delete every page and transition row of the
outbox. ``render_as_batch=True`` makes autogenerate write such copy-and-move ALTERs.
"""

from __future__ import annotations

from alembic import context

from kiosk.store.models import Base, UtcDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context) -> str | bool:  # type: ignore[no-untyped-def]
    """Write our column types as plain SQLAlchemy ones, so revisions never import app code."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime()"
    return False


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("kiosk migrations run through kiosk.store.migrate, which passes a connection")
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=True,
    render_item=render_item,
    compare_type=True,
    transactional_ddl=True,  # SQLite's DDL is transactional: a cut-off migration leaves nothing
)
with context.begin_transaction():
    context.run_migrations()
