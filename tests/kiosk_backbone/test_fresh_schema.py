"""A new kiosk database is created from the models without Alembic (memory and launch of
the app: ``kiosk/store/fresh.py``), and is the very schema the migration chain builds."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from kiosk.store import KioskStore, schema_version
from kiosk.store.db import DB_FILE
from kiosk.store.migrate import head_revision, upgrade


def _master(path: Path) -> list[tuple[str, str, str]]:
    con = sqlite3.connect(path)
    try:
        # a table a batch migration re-created keeps its name quoted: the only difference
        rows = con.execute("SELECT type, name, replace(sql, '\"', '') FROM sqlite_master ORDER BY type, name")
        return list(rows)
    finally:
        con.close()


def _revision(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()


def test_a_new_database_is_the_schema_the_migrations_build(home: Path, tmp_path: Path) -> None:
    KioskStore(home).close()
    migrated = tmp_path / "migrated.db"
    upgrade(migrated)  # the whole chain, from an empty file
    assert _master(home / DB_FILE) == _master(migrated)  # tables, indexes and their SQL, alembic_version too
    assert _revision(home / DB_FILE) == _revision(migrated) == head_revision() == schema_version.HEAD
    assert not (home / "backups").exists()  # nothing to back up in a new database


def test_new_kiosk_homes_start_together_without_alembic(tmp_path: Path) -> None:
    """The UI, the sync worker and a staff command may open a new home at once: one
    creates the schema, the others wait and find it; none loads Alembic."""
    home = tmp_path / "new"
    home.mkdir()
    code = (
        "import sys; from kiosk.store import KioskStore; KioskStore(sys.argv[1]).close(); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'mako', 'pygments'}))"
    )
    run = [sys.executable, "-c", code, str(home)]
    procs = [subprocess.Popen(run, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in "abc"]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 3, outputs
    assert [out.strip() for out, _err in outputs] == ["[]"] * 3
    assert _revision(home / DB_FILE) == schema_version.HEAD
