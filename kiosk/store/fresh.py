"""A new kiosk database: the models' tables, stamped at the head revision, without Alembic.

A database with no tables has no history to replay. Running the whole migration chain
through Alembic on a kiosk's first start (and in every demo, test and benchmark home)
took ~0.4 s and left Alembic, Mako and Pygments in the kiosk app for the rest of its life
(~12 MB of RSS, measured at Home). So an empty database gets the models' schema with
``create_all`` and the head revision in ``alembic_version``, as Alembic's cookbook does
for new databases; ``tests/kiosk_backbone/test_fresh_schema.py`` holds the two ways to
the same schema. A database with tables is migrated by :mod:`kiosk.store.migrate`.
"""

from __future__ import annotations

from pathlib import Path

from .engine import open_engine
from .models import Base
from .schema_version import HEAD

# what Alembic's ``stamp`` creates, so a later migration finds its table as it expects
VERSION_TABLE = (
    "CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, "
    "\n\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)"
)


def create_if_empty(path: Path) -> bool:
    """Create the head schema when the database at ``path`` has no tables (True); False
    when it has some (migrate it instead).

    One ``BEGIN IMMEDIATE`` transaction: a second process starting at the same moment
    waits, then finds the tables; a power cut leaves an empty database."""
    engine = open_engine(path, foreign_keys=False)
    try:
        with engine.begin() as conn:
            if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table'").first():
                return False
            Base.metadata.create_all(conn)
            conn.exec_driver_sql(VERSION_TABLE)
            conn.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES (?)", (HEAD,))
        return True
    finally:
        engine.dispose()
