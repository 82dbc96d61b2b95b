"""Upgrading a kiosk in the field: versioned database, backup first, nothing lost or doubled."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, Table

from kiosk.store import Drafts, KioskStore, Outbox, OutboxState, load_identity, schema_version
from kiosk.store.db import DB_FILE
from kiosk.store.engine import open_engine
from kiosk.store.evaluations import Evaluations
from kiosk.store.identity import save_identity
from kiosk.store.migrate import (
    BACKUPS_KEPT,
    BASELINE,
    MigrationFailed,
    backup,
    head_revision,
    migrating,
    revision,
    schema_differences,
)
from kiosk.store.models import Base
from kiosk.sync.service import SyncService
from tests.support.live_server import LiveServer
from tests.support.previous_release import extract_previous_release, make_old_home

from .conftest import FAST, STATION, finalize_one


def _revision(path: Path) -> str | None:
    engine = open_engine(path)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def _schema(path: Path) -> list[tuple[str, str, str]]:
    con = sqlite3.connect(path)
    try:
        rows = con.execute(
            "SELECT type, name, replace(sql, '\"', '') FROM sqlite_master "
            "WHERE tbl_name != 'alembic_version' ORDER BY name"
        )
        return list(rows)
    finally:
        con.close()


def _baseline_db(path: Path, unversioned: bool = False) -> Path:
    """A database at the baseline revision (unversioned: as the previous release left it)."""
    with migrating(path) as (conn, config):
        command.upgrade(config, BASELINE)
        if unversioned:
            conn.exec_driver_sql("DROP TABLE alembic_version")
    return path


@pytest.fixture(scope="module")
def old_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return extract_previous_release(tmp_path_factory.mktemp("previous-release"))


def test_a_home_of_the_previous_release_upgrades_and_sends_everything_once(
    tmp_path: Path, old_tree: Path, server: LiveServer
) -> None:
    home = tmp_path / "field-kiosk"
    old = make_old_home(old_tree, home, server.url, server.enrollment_code(STATION), queued=2)
    assert old["states"][old["sent"]] == "routed"
    assert old["sync_error"] is None  # today's server still serves the old kiosk a catalog it reads
    assert all(old["states"][u] == "finalized" for u in old["waiting"])
    assert _revision(home / DB_FILE) is None  # create_all: no version table

    with KioskStore(home) as store:  # today's code opens it: backup, stamp, migrate
        assert _revision(home / DB_FILE) == head_revision()
        assert schema_differences(home / DB_FILE) == []
        backups = list((home / "backups").iterdir())
        assert len(backups) == 1 and backups[0].name.endswith("-unversioned.db")
        assert backups[0].stat().st_mode & 0o077 == 0
        assert _revision(backups[0]) is None  # the copy is the database as it was
        outbox = Outbox(store)
        assert [outbox.get(u).state for u in old["waiting"]] == [OutboxState.finalized] * 2
        assert len(Evaluations(store).pending()) == 1
        assert outbox.get(old["draft"]).state is OutboxState.draft
        Drafts(store).discard(old["draft"])  # the old release's sealed draft still opens

        service = SyncService(store, FAST)
        report = service.run_once()
        assert report.ok, report.error
        assert sorted(report.pushed.acknowledged) == sorted(old["waiting"])
        assert report.evaluations_sent == 1
        assert service.run_once().pushed.acknowledged == []  # nothing is sent twice

    rows = server.query(
        "SELECT CAST(client_uuid AS VARCHAR), COUNT(*) FROM submissions WHERE kiosk_id = :k "
        "GROUP BY client_uuid",
        k=load_identity(home).kiosk_id,
    )
    uuids = {u.replace("-", "") for u in [old["sent"], *old["waiting"]]}
    assert {r[0].replace("-", "") for r in rows} == uuids and all(r[1] == 1 for r in rows)
    scores = server.query("SELECT score FROM evaluations WHERE comment = '升级前的评价'")
    assert scores == [(4,)]

    with KioskStore(home):  # a second start: already current, no new backup
        assert len(list((home / "backups").iterdir())) == 1


def test_the_baseline_is_the_previous_releases_schema_and_head_is_one_schema(
    tmp_path: Path, old_tree: Path, server: LiveServer
) -> None:
    """Stamping is only right when the baseline creates exactly what create_all made."""
    old_home = tmp_path / "old"
    make_old_home(old_tree, old_home, server.url, server.enrollment_code(STATION), queued=0)
    baseline = _baseline_db(tmp_path / "baseline.db")
    old_schema = _schema(old_home / DB_FILE)
    assert _schema(baseline) == old_schema

    fresh = tmp_path / "fresh"
    with KioskStore(fresh):
        assert not (fresh / "backups").exists()  # nothing to back up in a new database
    with KioskStore(old_home):
        pass
    assert _schema(old_home / DB_FILE) == _schema(fresh / DB_FILE) != old_schema


def test_a_model_change_without_a_migration_is_caught(tmp_path: Path) -> None:
    with KioskStore(tmp_path / "k"):
        pass
    path = tmp_path / "k" / DB_FILE
    assert schema_differences(path) == []
    extra = Table("kiosk_new_thing", Base.metadata, Column("id", Integer, primary_key=True))
    try:
        diff = schema_differences(path)
    finally:
        Base.metadata.remove(extra)
    assert [d[0] for d in diff] == ["add_table"]


def test_a_database_from_a_newer_release_is_refused_untouched(home: Path) -> None:
    with KioskStore(home) as store:
        finalize_one(store, seed=3)
    con = sqlite3.connect(home / DB_FILE)
    con.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    con.commit()
    con.close()
    before = (home / DB_FILE).read_bytes()
    with pytest.raises(MigrationFailed, match="newer release"):
        KioskStore(home)
    assert (home / DB_FILE).read_bytes() == before


def test_backups_are_pruned_to_the_newest_few(home: Path) -> None:
    with KioskStore(home) as store:
        finalize_one(store, seed=4)
    made = [backup(home / DB_FILE, f"t{i}") for i in range(BACKUPS_KEPT + 2)]
    kept = sorted((home / "backups").iterdir())
    assert kept == made[-BACKUPS_KEPT:]
    con = sqlite3.connect(kept[-1])  # a whole, readable copy with the outbox row
    assert con.execute("SELECT COUNT(*) FROM outbox").fetchone() == (1,)
    con.close()


def test_kiosk_processes_starting_together_migrate_once(home: Path) -> None:
    """The UI, the sync worker's process and a staff command may all start at once."""
    _baseline_db(home / DB_FILE, unversioned=True)
    code = "import sys; from kiosk.store import KioskStore; KioskStore(sys.argv[1]).close()"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(home)], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, errors
    assert _revision(home / DB_FILE) == head_revision()
    assert len(list((home / "backups").iterdir())) == 1


def test_kiosk_homes_opened_by_threads_of_one_process_migrate(tmp_path: Path, identity) -> None:  # type: ignore[no-untyped-def]
    """Alembic migrates through module-level proxies: threads opening several homes at once
    (a bench or a test harness driving many kiosks) must not trip over each other."""
    homes = []
    for i in range(6):
        home = tmp_path / f"kiosk-{i}"
        home.mkdir()
        save_identity(home, identity)
        _baseline_db(home / DB_FILE, unversioned=True)
        homes.append(home)
    with ThreadPoolExecutor(len(homes)) as pool:
        list(pool.map(lambda h: KioskStore(h).close(), homes))  # raises what a thread raised
    assert {_revision(h / DB_FILE) for h in homes} == {head_revision()}


def test_manifest_digests_agree_with_the_previous_release(tmp_path: Path, old_tree: Path) -> None:
    """A submission sent before the upgrade and replayed after must not look like a conflict."""
    from tests.schema.conftest import manifest

    body = manifest().to_json_dict()
    assert "incomplete_accepted" not in body  # absent unless set: old servers forbid unknown fields
    (tmp_path / "m.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    code = (
        "import sys; from shared_schema import SubmissionManifest as M; "
        "print(M.parse_json(open(sys.argv[1], 'rb').read()).content_digest())"
    )
    old = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "m.json")],
        cwd=old_tree, env={"PYTHONPATH": str(old_tree)}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert old.stdout.strip() == manifest().content_digest()


def test_db_revision_writes_the_missing_migration() -> None:
    extra = Table("kiosk_new_thing", Base.metadata, Column("id", Integer, primary_key=True))
    written: Path | None = None
    try:
        written = revision("add kiosk_new_thing")
        text = written.read_text(encoding="utf-8")
    finally:
        Base.metadata.remove(extra)
        if written is not None:
            written.unlink()
    assert "op.create_table('kiosk_new_thing'" in text
    assert f"down_revision: str | Sequence[str] | None = {head_revision()!r}" in text


def test_a_current_database_opens_without_loading_alembic(home: Path) -> None:
    """Launch time and memory: Alembic loads only when a migration is due."""
    assert head_revision() == schema_version.HEAD
    KioskStore(home).close()
    code = (
        "import sys; from kiosk.store import KioskStore; KioskStore(sys.argv[1]).close(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(home)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_behind_database_is_migrated_without_alembic_in_the_app(home: Path) -> None:
    """Memory: Alembic, Mako and Pygments (~12 MB) run in a child process and never stay
    in the process that opened the database; its outcome (backup) comes back."""
    _baseline_db(home / DB_FILE)
    code = (
        "import sys; from kiosk.store import KioskStore; KioskStore(sys.argv[1]).close(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako', 'pygments')))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(home)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert _revision(home / DB_FILE) == head_revision()
    assert [p.name.endswith(f"-{BASELINE}.db") for p in (home / "backups").iterdir()] == [True]


def test_the_migration_childs_errors_come_back_as_the_app_would_meet_them(tmp_path: Path) -> None:
    """A file that is not a database is sqlite3's DatabaseError in the app (the store turns
    it into StoreCorrupt), not a crash of the child reported as something else."""
    path = tmp_path / DB_FILE
    path.write_bytes(b"not a database, but long enough to be read as one" * 100)
    with pytest.raises(sqlite3.DatabaseError, match="not a database") as raised:
        schema_version._upgrade_in_child(path)
    assert type(raised.value) is sqlite3.DatabaseError
