"""Apply and write Alembic migrations without an alembic.ini (the package carries them).

``upgrade(url)`` brings a database to the newest revision (``tongban server init-db``);
``revision(message)`` autogenerates a new one against a scratch SQLite database at head,
for developers adding tables (``tongban server db-revision``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from .db import make_engine, normalize_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def revision(message: str) -> None:
    """Autogenerate a revision from the models' difference to the current head."""
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'scratch.db'}"
        upgrade(url)
        engine = make_engine(url)
        try:
            config = alembic_config(url)
            command.revision(config, message=message, autogenerate=True)
        finally:
            engine.dispose()
