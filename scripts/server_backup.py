#!/usr/bin/env python3
"""Back up a sync server home and restore it into a fresh home and database.

    .venv/bin/python scripts/server_backup.py backup  --home /srv/tongban --out /backup/2026-12-02
    .venv/bin/python scripts/server_backup.py verify  /backup/2026-12-02
    .venv/bin/python scripts/server_backup.py restore /backup/2026-12-02 --home /srv/new [--db URL]

What a server holds, and how each part is copied (docs/deploy.md):

- the database — submissions, events, staff, audit log, and the keys: the ID-search HMAC
  key and installation id (``server_settings``), each kiosk's secret hash and bundle key.
  PostgreSQL with ``pg_dump --format=custom`` (one consistent snapshot while the server
  runs), SQLite with its online backup API (consistent too, WAL included);
- the page and result blobs — content-addressed files that are never changed or removed,
  copied *after* the database: a row names a page only once the page is stored, so every
  page the copied database names is already on disk when the folder is copied;
- ``server.toml`` of the home, if there is one.

``MANIFEST.json`` records each file's SHA-256. ``verify`` and ``restore`` check all of
them (a blob's name is its hash) before anything is written; ``restore`` refuses a home
or database that already holds data. The database and blob folder of the restore are
found as the server will find them: ``server.toml`` (restored first), then
``TONGBAN_SERVER_DB`` or ``--db``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from sync_server import migrate
from sync_server.config import load_config
from sync_server.db import make_engine

MANIFEST = "MANIFEST.json"
FORMAT = 1
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
HOME_FILES = ("server.toml",)
SKIP_BLOB_DIRS = {"tmp"}  # uploads in progress, never a stored blob


class BackupError(click.ClickException):
    """A backup or restore that cannot go on; nothing half-done is left claiming success."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def libpq_url(url: str) -> str:
    """The URL as ``pg_dump``/``pg_restore`` read it: no driver suffix and no password
    (that goes in ``PGPASSWORD``, never on a command line others can read in ``ps``)."""
    u = make_url(url)
    bare = URL.create("postgresql", u.username, None, u.host, u.port, u.database, u.query)
    return bare.render_as_string(hide_password=False)


def libpq_env(url: str) -> dict[str, str]:
    password = make_url(url).password
    return {**os.environ, **({"PGPASSWORD": str(password)} if password else {})}


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"not a SQLite file database: {url}")
    return Path(database)


def run_tool(args: list[str], url: str) -> None:
    """Run pg_dump/pg_restore; a failure stops the command with the tool's own message."""
    found = shutil.which(args[0])
    if found is None:
        raise BackupError(f"{args[0]} not found: install the Debian package postgresql-client")
    result = subprocess.run([found, *args[1:]], capture_output=True, text=True, env=libpq_env(url))
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed ({result.returncode}): {result.stderr.strip()}")


def sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while the server writes."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def blob_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] not in SKIP_BLOB_DIRS
    )


# -- backup ----------------------------------------------------------------------------------
def backup(home: Path, db_url: str | None, out: Path) -> dict[str, Any]:
    config = load_config({"HOME": str(home), "DATABASE_URL": db_url})
    url, blob_root = config["DATABASE_URL"], Path(config["BLOB_DIR"])
    if out.exists():
        raise BackupError(f"{out} already exists: give a new folder for each backup")
    engine = make_engine(url)
    try:
        if not migrate.is_current(engine):
            raise BackupError(f"the database at {make_url(url)!r} is not an initialised tongban database")
        revision = migrate.current_revision(engine)
    finally:
        engine.dispose()
    work = out.with_name(out.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    backend = make_url(url).get_backend_name()
    if backend == "postgresql":  # first the database, then the blobs (see the module doc)
        db_file = PG_FILE
        run_tool(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={work / db_file}", libpq_url(url)], url)  # fmt: skip
    elif backend == "sqlite":
        db_file = SQLITE_FILE
        sqlite_copy(sqlite_path(url), work / db_file)
    else:
        raise BackupError(f"unsupported database {backend}")
    files: dict[str, str] = {db_file: sha256_file(work / db_file)}
    blobs = blob_files(blob_root)
    for source in blobs:
        rel = Path("blobs") / source.relative_to(blob_root)
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, work / rel)
        files[str(rel)] = sha256_file(work / rel)
    for name in HOME_FILES:
        if (home / name).is_file():
            (work / "home").mkdir(exist_ok=True)
            shutil.copyfile(home / name, work / "home" / name)
            files[f"home/{name}"] = sha256_file(work / "home" / name)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "backend": backend,
        "database_file": db_file,
        "revision": revision,
        "blobs": len(blobs),
        "blob_bytes": sum(p.stat().st_size for p in blobs),
        "files": files,
    }
    (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(work, out)  # only a complete backup gets the name asked for
    return {k: v for k, v in manifest.items() if k != "files"} | {"path": str(out)}


# -- verify ----------------------------------------------------------------------------------
def verify(folder: Path) -> dict[str, Any]:
    """Every file present with its recorded hash, every blob named by its own hash."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} holds no readable {MANIFEST}: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    bad = []
    for rel, expected in manifest["files"].items():
        path = folder / rel
        actual = sha256_file(path) if path.is_file() else "missing"
        if actual != expected or (rel.startswith("blobs/") and Path(rel).name != expected):
            bad.append(f"{rel}: {actual}")
    listed = {f"blobs/{p.relative_to(folder / 'blobs')}" for p in blob_files(folder / "blobs")}
    bad += [f"{rel}: not in {MANIFEST}" for rel in sorted(listed - set(manifest["files"]))]
    if bad:
        raise BackupError(f"backup {folder} is damaged: " + "; ".join(bad[:20]))
    return manifest


# -- restore ---------------------------------------------------------------------------------
def restore(folder: Path, home: Path, db_url: str | None) -> dict[str, Any]:
    manifest = verify(folder)
    home.mkdir(parents=True, exist_ok=True)
    for name in HOME_FILES:
        if (home / name).exists():
            raise BackupError(f"{home / name} exists: restore into a fresh server home")
    for name in HOME_FILES:
        if (folder / "home" / name).is_file():
            shutil.copyfile(folder / "home" / name, home / name)
    config = load_config({"HOME": str(home), "DATABASE_URL": db_url})
    url, blob_root = config["DATABASE_URL"], Path(config["BLOB_DIR"])
    backend = make_url(url).get_backend_name()
    if backend != manifest["backend"]:
        raise BackupError(f"the backup is of a {manifest['backend']} database, the target is {backend}")
    if blob_files(blob_root):
        raise BackupError(f"{blob_root} already holds blobs: restore into a fresh server home")
    _check_empty(url)
    db_file = folder / manifest["database_file"]
    if backend == "postgresql":
        run_tool(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                  f"--dbname={libpq_url(url)}", str(db_file)], url)  # fmt: skip
    else:
        target = sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        sqlite_copy(db_file, target)
    restored = 0
    for rel in manifest["files"]:
        if rel.startswith("blobs/"):
            dest = blob_root / Path(rel).relative_to("blobs")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / rel, dest)
            restored += 1
    engine = make_engine(url)
    try:
        current = migrate.is_current(engine)
        revision = migrate.current_revision(engine)
    finally:
        engine.dispose()
    return {
        "home": str(home),
        "backend": backend,
        "revision": revision,
        "schema_current": current,  # False: run `tongban server init-db` to migrate
        "blobs": restored,
    }


def _check_empty(url: str) -> None:
    if make_url(url).get_backend_name() == "sqlite" and not sqlite_path(url).exists():
        return
    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(f"the target database has {len(tables)} table(s): restore into an empty one")


# -- command line ----------------------------------------------------------------------------
@click.group()
def cli() -> None:
    """Back up and restore a tongban sync server (database, blobs, keys, server.toml)."""


@cli.command("backup")
@click.option("--home", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--db", "db_url", default=None, help="Database URL (default: the server's configuration).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="A new folder.")
def backup_cmd(home: Path, db_url: str | None, out: Path) -> None:
    click.echo(json.dumps(backup(home, db_url, out), ensure_ascii=False))


@cli.command("verify")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def verify_cmd(folder: Path) -> None:
    manifest = verify(folder)
    click.echo(json.dumps({"ok": True, "files": len(manifest["files"]), "blobs": manifest["blobs"]}))


@cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--home", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--db", "db_url", default=None, help="An empty database (default: the restored configuration).")
def restore_cmd(folder: Path, home: Path, db_url: str | None) -> None:
    click.echo(json.dumps(restore(folder, home, db_url), ensure_ascii=False))


if __name__ == "__main__":
    cli()
