"""``tongban server …``: run the server, manage its database, kiosks and imports."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
import segno
from flask import Flask
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from shared_schema import SchemaError, load_catalog
from tongban_cli.common import catalog_dir_option, emit, fail, home_of, home_option, json_option

from . import migrate
from .catalog_versions import load_yaml_release
from .enrollment import create_code, installation_id, revoke
from .errors import ApiError
from .fleet import kiosk_overview
from .models import Submission

_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: str) -> timedelta:
    match = _DURATION.match(value.strip().lower())
    if not match:
        raise click.BadParameter("use a number and s, m, h or d, e.g. 2h")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


@click.group()
@home_option("server")
@click.option(
    "--db", "db_url", default=None, help="Database URL, e.g. postgresql://user@host/db (default: SQLite)."
)
@click.pass_context
def server(ctx: click.Context, db_url: str | None) -> None:
    """Sync server: enrollment, ingest, routing, workspace."""
    ctx.ensure_object(dict)
    ctx.obj["db_url"] = db_url


NOT_READY = "the database is not initialised or not up to date: run `tongban server init-db`"


def make_app(ctx: click.Context, *, initialised: bool = True) -> Flask:
    """The app for one command; unless ``initialised=False`` (init-db), the schema must be current.

    A missing SQLite file is reported before anything connects, so a command typed
    against an empty home does not leave an empty ``server.db`` behind.
    """
    from .app import create_app
    from .config import load_config

    obj = ctx.find_object(dict) or {}
    as_json = bool(ctx.params.get("as_json"))
    config = load_config({"HOME": str(home_of(ctx)), "DATABASE_URL": obj.get("db_url")})
    if initialised and not _database_exists(config["DATABASE_URL"]):
        fail(NOT_READY, as_json)
    app = create_app(config)
    ctx.call_on_close(_db(app).dispose)  # close pooled connections when the command ends
    if initialised:
        _require_schema(app, as_json)
    return app


def _database_exists(url: str) -> bool:
    """False only for a SQLite file that is not there yet (other databases are asked)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return True
    return Path(parsed.database).is_file()


def _db(app: Flask):  # type: ignore[no-untyped-def]
    from .db import get_db

    return get_db(app)


def _require_schema(app: Flask, as_json: bool) -> None:
    try:
        current = migrate.is_current(_db(app).engine)
    except OperationalError as exc:
        fail(f"cannot reach the database: {exc.orig}", as_json)
        return
    if not current:
        fail(NOT_READY, as_json)


@server.command("init-db")
@catalog_dir_option("--catalog")
@json_option
@click.pass_context
def init_db(ctx: click.Context, catalog_dir: str | None, as_json: bool) -> None:
    """Apply migrations and load (or refresh) the catalog."""
    app = make_app(ctx, initialised=False)
    migrate.upgrade(app.config["DATABASE_URL"])
    try:
        catalog = load_catalog(catalog_dir or app.config.get("CATALOG_DIR"))
    except SchemaError as exc:
        fail(str(exc), as_json, **exc.to_dict())
        return
    try:
        with _db(app).transaction(write=True) as session:
            release, loaded = load_yaml_release(session, catalog)
            result = {
                "revision": migrate.head_revision(),
                "catalog_version": release.version,
                "catalog": loaded,
                "etag": release.etag,
                "matters": len(catalog.matters),
                "departments": len(catalog.departments),
                "stations": len(catalog.stations),
                "server_key_id": installation_id(session),
            }
    except ApiError as exc:  # a published version's content changed in catalog.yaml
        fail(exc.message, as_json, error=exc.code)
        return
    emit(
        result,
        as_json,
        lambda r: (
            f"database at {r['revision']}; catalog {r['catalog_version']} "
            + (
                "current (catalog.yaml's version is older; kept as published)"
                if r["catalog"] == "kept"
                else f"loaded ({r['matters']} matters, {r['departments']} departments, "
                f"{r['stations']} stations)"
            )
        ),
    )


@server.command("enroll-kiosk")
@click.option("--station", required=True, help="Station code the kiosk will serve.")
@click.option("--ttl", default="24h", show_default=True, help="How long the code stays valid.")
@click.option("--qr-png", type=click.Path(dir_okay=False), default=None, help="Also save the QR code as PNG.")
@json_option
@click.pass_context
def enroll_kiosk(ctx: click.Context, station: str, ttl: str, qr_png: str | None, as_json: bool) -> None:
    """Create a one-time enrollment code (printed with a QR code)."""
    app = make_app(ctx)
    lifetime = parse_duration(ttl)
    try:
        with _db(app).transaction(write=True) as session:
            code = create_code(session, station, lifetime)
    except ApiError as exc:
        fail(exc.message, as_json, reason=exc.code)
        return
    qr = segno.make(code, error="m")
    if qr_png:
        qr.save(qr_png, scale=8, border=4)
    result = {
        "code": code,
        "station_code": station,
        "expires_in_seconds": int(lifetime.total_seconds()),
        "qr_png": qr_png,
    }
    if as_json:
        emit(result, True)
        return
    click.echo(f"enrollment code for station {station}: {code} (valid {ttl}, one use)")
    qr.terminal(compact=True)


@server.command("revoke-kiosk")
@click.argument("kiosk_id")
@json_option
@click.pass_context
def revoke_kiosk(ctx: click.Context, kiosk_id: str, as_json: bool) -> None:
    """Revoke a kiosk's credentials (its requests get 401 from now on)."""
    app = make_app(ctx)
    try:
        with _db(app).transaction(write=True) as session:
            kiosk = revoke(session, kiosk_id)
            result = {"kiosk_id": kiosk.kiosk_id, "revoked_at": kiosk.revoked_at.isoformat()}
    except ApiError as exc:
        fail(exc.message, as_json, reason=exc.code)
        return
    emit(result, as_json, lambda r: f"kiosk {r['kiosk_id']} revoked at {r['revoked_at']}")


@server.command("kiosks")
@click.option("--stale-after", default=None, help="Only kiosks silent for longer than this, e.g. 2h.")
@json_option
@click.pass_context
def kiosks(ctx: click.Context, stale_after: str | None, as_json: bool) -> None:
    """List kiosks and their last heartbeat (or only the stale ones)."""
    app = make_app(ctx)
    limit = parse_duration(stale_after) if stale_after else None
    with _db(app).transaction() as session:
        rows = kiosk_overview(session, limit)
    emit(rows, as_json, _kiosk_lines)


def _kiosk_lines(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no kiosks"
    return "\n".join(
        f"{r['kiosk_id']:<8} {r['station_code']:<12} {'revoked' if r['revoked'] else 'active':<8} "
        f"last heartbeat {r['last_heartbeat_at'] or 'never'}  queue {r['queue_length']}"
        for r in rows
    )


@server.command("submissions")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@json_option
@click.pass_context
def submissions(ctx: click.Context, limit: int, as_json: bool) -> None:
    """What arrived: receipt number, client UUID, page hashes, department, state."""
    app = make_app(ctx)
    with _db(app).transaction() as session:
        rows = [
            {
                "receipt_no": s.receipt_no,
                "client_uuid": str(s.client_uuid),
                "kiosk_id": s.kiosk_id,
                "matter_code": s.matter_code,
                "department_code": s.department_code,
                "state": s.state,
                "received_at": s.received_at.isoformat(),
                "page_hashes": [p.sha256 for p in s.pages],
            }
            for s in session.scalars(select(Submission).order_by(Submission.id.desc()).limit(limit))
        ]
    emit(rows, as_json, _submission_lines)


def _submission_lines(rows: list[dict[str, Any]]) -> str:
    lines = []
    for r in rows:
        hashes = ",".join(h[:12] for h in r["page_hashes"])
        lines.append(
            f"{r['receipt_no']:<30} {r['client_uuid']} {r['department_code'] or '-':<16} "
            f"{r['state']:<12} {len(r['page_hashes'])} page(s) {hashes}"
        )
    return "\n".join(lines) or "no submissions"


@server.command("import")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False))
@json_option
@click.pass_context
def import_cmd(ctx: click.Context, bundle: str, as_json: bool) -> None:
    """Ingest a sneakernet bundle exported by a kiosk (exactly once)."""
    from .bundles import import_bundle

    app = make_app(ctx)
    try:
        report = import_bundle(app, Path(bundle))
    except ApiError as exc:
        fail(exc.message, as_json, reason=exc.code, **exc.details)
        return
    emit(
        report,
        as_json,
        lambda r: (
            f"bundle of kiosk {r['kiosk_id']}: {r['created']} new, {r['replayed']} "
            f"already there, {len(r['failed'])} failed"
        ),
    )
    if report["failed"]:
        raise SystemExit(1)


@server.command("run")
@click.option("--bind", default="127.0.0.1:8400", show_default=True)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--threads",
    default=4,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Threads per worker: how many requests one worker serves at once.",
)
@click.option(
    "--timeout",
    default=60,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds a worker may look hung before it is restarted, and a request body may "
    "send nothing before it is dropped (408). A slow upload that keeps moving is never cut off.",
)
@click.option("--dev", is_flag=True, help="Flask's development server (debugging only).")
@click.option(
    "--scan-workers",
    default=1,
    show_default=True,
    type=click.IntRange(0, 64),
    help="Scan worker processes started beside the server (0 when they run on other machines).",
)
@click.pass_context
def run(
    ctx: click.Context, bind: str, workers: int, threads: int, timeout: int, dev: bool, scan_workers: int
) -> None:
    """Serve the API with gunicorn (N threaded workers), and scan online pages beside it."""
    from .scan_worker import embedded_workers

    app = make_app(ctx)
    with embedded_workers(app.config["HOME"], app.config["DATABASE_URL"], scan_workers):
        _serve(app, bind, workers, threads, timeout, dev)


def _serve(app: Flask, bind: str, workers: int, threads: int, timeout: int, dev: bool) -> None:
    if dev:
        host, _, port = bind.rpartition(":")
        app.run(host=host or "127.0.0.1", port=int(port), debug=False)
        return
    from .serve import run_gunicorn

    config = {"HOME": app.config["HOME"], "DATABASE_URL": app.config["DATABASE_URL"]}
    _db(app).dispose()
    run_gunicorn(config, bind, workers, threads=threads, timeout=timeout)


@server.command("scan-worker")
@click.option(
    "--threads", default=1, show_default=True, type=click.IntRange(1, 16), help="Pages scanned at once."
)
@click.pass_context
def scan_worker(ctx: click.Context, threads: int) -> None:
    """Scan online pages from the scan queue (SCAN_QUEUE_URL; run one per machine or core)."""
    from .config import load_config
    from .scan_worker import serve_worker

    obj = ctx.find_object(dict) or {}
    serve_worker(load_config({"HOME": str(home_of(ctx)), "DATABASE_URL": obj.get("db_url")}), threads=threads)


@server.command("db-revision", hidden=True)
@click.argument("message")
def db_revision(message: str) -> None:
    """(developers) Autogenerate a migration from the models."""
    migrate.revision(message)


from .workspace.cli import register as _register_workspace_cli  # noqa: E402

_register_workspace_cli(server)  # tongban server create-user / sms-dispatch (issue 6)

from .workspace.holidays_cli import register as _register_holidays_cli  # noqa: E402

_register_holidays_cli(server)  # tongban server holidays import / list (issue 10)

from .workspace.catalog_cli import register as _register_catalog_cli  # noqa: E402

_register_catalog_cli(server)  # tongban server catalog versions / export / import / publish (issue 14)

from .workspace.rectification_cli import register as _register_rectification_cli  # noqa: E402

_register_rectification_cli(server)  # tongban server rectifications escalate (issue 14, 9.2)

from .cluster import register as _register_balancer_config  # noqa: E402
from .enroll_codes_cli import register as _register_enroll_codes_cli  # noqa: E402

_register_enroll_codes_cli(server)  # tongban server enroll-codes: many codes at once (issue 16)
_register_balancer_config(server)  # tongban server balancer-config: HAProxy over several nodes
