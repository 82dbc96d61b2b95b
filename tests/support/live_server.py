"""The real sync server for end-to-end tests: in a thread (werkzeug) or as gunicorn.

``fresh_database("sqlite"|"postgresql", tmp)`` gives an empty database URL (PostgreSQL:
a new ``tongban_t_<random>`` database on ``TONGBAN_TEST_PG``'s server, dropped by
``drop_database``). ``LiveServer`` initialises it (migrations + packaged demo catalog),
issues enrollment codes, serves on loopback, and can be killed with SIGKILL and restarted.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .waiting import STUCK_S

TONGBAN = [sys.executable, "-m", "tongban_cli.main"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(backend: str, tmp: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'server.db'}"
    base = os.environ["TONGBAN_TEST_PG"]
    name = f"tongban_t_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _init_db(home: Path, db_url: str) -> None:
    """``tongban server init-db`` with the command's own code (click's runner); errors raise."""
    from click.testing import CliRunner

    from sync_server.cli import server

    done = CliRunner().invoke(server, ["--home", str(home), "--db", db_url, "init-db"])
    if done.exit_code != 0:
        raise RuntimeError(f"init-db failed: {done.output or done.exception!r}") from done.exception


_TEMPLATES: dict[str, str] = {}  # backend → a database init-db prepared this session
_TEMPLATE_ROOT: Path | None = None


def _template(backend: str) -> str:
    """The session's init-db'd database of ``backend``, made on first use.

    Every live server on an empty database with the packaged catalog gets a copy of it:
    migrations and the catalog load cost ~8–10 s per server at CI load (~30 servers per
    suite), a copy well under a second. Dropped by :func:`drop_templates` at session end.
    """
    global _TEMPLATE_ROOT
    if backend not in _TEMPLATES:
        if _TEMPLATE_ROOT is None:
            _TEMPLATE_ROOT = Path(tempfile.mkdtemp(prefix="tongban-live-templates-"))
        root = _TEMPLATE_ROOT / backend
        root.mkdir()
        url = fresh_database(backend, root)
        _init_db(root / "home", url)
        _TEMPLATES[backend] = url
    return _TEMPLATES[backend]


def drop_templates() -> None:
    """Drop the session's template databases (tests/conftest.py, at session end)."""
    global _TEMPLATE_ROOT
    while _TEMPLATES:
        drop_database(_TEMPLATES.popitem()[1])
    if _TEMPLATE_ROOT is not None:
        shutil.rmtree(_TEMPLATE_ROOT)
        _TEMPLATE_ROOT = None


def _packaged_catalog(home: Path, db_url: str) -> bool:
    """Whether init-db would load the packaged catalog (no catalog folder configured)."""
    from sync_server.config import load_config

    return load_config({"HOME": str(home), "DATABASE_URL": db_url}).get("CATALOG_DIR") is None


def _is_empty(url: str) -> bool:
    """A database nothing has been written to: a missing or empty SQLite file, or no tables."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        return not path.exists() or path.stat().st_size == 0
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = text("SELECT 1 FROM pg_tables WHERE schemaname = 'public' LIMIT 1")
            return conn.execute(tables).first() is None
    finally:
        engine.dispose()


def _clone(template: str, url: str) -> None:
    """Make the empty database ``url`` a copy of ``template`` (SQLite: page by page;
    PostgreSQL: dropped and re-created from it, which fails loudly if anyone is connected)."""
    target = make_url(url)
    if target.get_backend_name() == "sqlite":  # SQLite's backup API: whole, whatever is in the WAL
        source = sqlite3.connect(make_url(template).database or "")
        with closing(source), closing(sqlite3.connect(target.database or "")) as copy:
            source.backup(copy)
        return
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            name, origin = target.database, make_url(template).database
            conn.execute(text(f'DROP DATABASE "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{origin}"'))
    finally:
        admin.dispose()


class LiveServer:
    """One server home + database; ``start()`` serves it, ``kill()`` SIGKILLs it."""

    def __init__(
        self,
        home: Path,
        db_url: str,
        *,
        gunicorn: bool = False,
        workers: int = 2,
        run_args: tuple[str, ...] = (),
        initialise: bool = True,
    ) -> None:
        self.home, self.db_url = Path(home), db_url
        self.gunicorn, self.workers, self.run_args = gunicorn, workers, run_args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._proc: subprocess.Popen[bytes] | None = None
        self._httpd: Any = None
        self._log = None
        self._app: Any = None
        if initialise:  # False: serve a database prepared otherwise (e.g. restored from a backup)
            self._initialise()

    def _cli(self, *args: str) -> str:
        out = subprocess.run(
            [*TONGBAN, "server", "--home", str(self.home), "--db", self.db_url, *args],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout

    def _initialise(self) -> None:
        """``tongban server init-db`` (migrations + packaged catalog), or a copy of its result.

        Run in this process: a new interpreter importing the whole server cost ~45 s per
        live server at CI load 20 (~8 s in process). On an empty database with the packaged
        catalog, init-db's work is the same for every server of a backend, so it runs once
        per session into a template that each server copies (see :func:`_template`). The
        command as a subprocess is tested in tests/server/test_cli.py.
        """
        self.home.mkdir(parents=True, exist_ok=True)
        if _is_empty(self.db_url) and _packaged_catalog(self.home, self.db_url):
            _clone(_template(make_url(self.db_url).get_backend_name()), self.db_url)
        else:
            _init_db(self.home, self.db_url)

    def app(self) -> Any:
        from sync_server.app import create_app

        return create_app({"HOME": str(self.home), "DATABASE_URL": self.db_url})

    def in_app(self) -> Any:
        """An app object of this server in the test process (for direct database work)."""
        if self._app is None:
            self._app = self.app()
        return self._app

    def enrollment_code(self, station: str = "CQ0100") -> str:
        from datetime import timedelta

        from sync_server.db import get_db
        from sync_server.enrollment import create_code

        with get_db(self.in_app()).transaction(write=True) as session:
            return create_code(session, station, timedelta(hours=1))

    def revoke(self, kiosk_id: str) -> None:
        from sync_server.db import get_db
        from sync_server.enrollment import revoke

        with get_db(self.in_app()).transaction(write=True) as session:
            revoke(session, kiosk_id)

    def start(self) -> LiveServer:
        if self.gunicorn:
            self._log = open(self.home / "gunicorn.log", "ab")  # noqa: SIM115
            self._proc = subprocess.Popen(
                [*TONGBAN, "server", "--home", str(self.home), "--db", self.db_url, "run",
                 "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), *self.run_args],
                stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        else:
            from werkzeug.serving import make_server

            self._httpd = make_server("127.0.0.1", self.port, self.app(), threaded=True)
            threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        try:
            self.wait_ready()
        except BaseException:  # one that never answered is not left running (it kept its port and database)
            self.stop()
            raise
        return self

    def wait_ready(self, timeout: float = STUCK_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self._proc.returncode}; see {self.home}/gunicorn.log"
                )
            try:
                if requests.get(self.url + "/api/v1/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become ready")

    def kill(self) -> None:
        """SIGKILL the whole gunicorn process group (master and workers), no goodbye."""
        if self._proc is not None:
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait(STUCK_S)
            self._proc = None
        if self._httpd is not None:
            self.stop()

    def stop(self) -> None:
        if self._proc is not None:
            os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait(10)
            self._proc = None
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._app is not None:
            from sync_server.db import get_db

            get_db(self._app).dispose()
            self._app = None

    # -- what arrived ----------------------------------------------------------------------
    def query(self, sql: str, **params: Any) -> list[Any]:
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(sql), params).all())
        finally:
            engine.dispose()

    def blob(self, sha256: str) -> bytes:
        from sync_server.blobstore import LocalBlobStore

        with LocalBlobStore(self.home / "blobs").open(sha256) as fh:
            return fh.read()


@contextmanager
def serving(backend: str, root: Path) -> Iterator[LiveServer]:
    """A started in-process server on a fresh ``backend`` database under ``root``; stopped
    and its database dropped afterwards (the fixture most live-server tests need)."""
    url = fresh_database(backend, root)
    live = LiveServer(root / "home", url).start()
    try:
        yield live
    finally:
        live.stop()
        drop_database(url)
