"""``tongban kiosk …``: headless commands for staff, scripts and tests.

Every command opens the kiosk home (``--home``), which runs the start-up integrity check;
a corrupt database stops the command with the way out (``tongban kiosk recover``).
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from shared_schema import Delivery, SchemaError
from tongban_cli.common import emit, fail, home_of, home_option, json_option

from .cli_status import catalog, export, open_store, purge, recover, requeue, status
from .store import NotEnrolled, load_identity
from .sync.catalog import CatalogCache


@click.group()
@home_option("kiosk")
def kiosk() -> None:
    """Self-service kiosk (自助终端): enroll, queue submissions, sync, export."""


@kiosk.command()
@click.option("--server", "server_url", required=True, help="Sync server base URL, e.g. http://10.0.0.5:8000")
@click.option("--code", required=True, help="One-time enrollment code from 'tongban server enroll-kiosk'.")
@click.option("--name", default=None, help="A name staff will recognise (default: host name).")
@click.option("--profile", default="virtual", show_default=True, help="Hardware profile.")
@click.option("--force", is_flag=True, help="Replace the identity of a kiosk that is already enrolled.")
@json_option
@click.pass_context
def enroll(
    ctx: click.Context, server_url: str, code: str, name: str | None, profile: str, force: bool,
    as_json: bool,
) -> None:  # fmt: skip
    """Exchange an enrollment code for this kiosk's credentials (stored with mode 0600).

    A kiosk already enrolled keeps its identity unless --force is given: its queued
    submissions carry its kiosk id, and only that id may send them.
    """
    from .sync.enroll import EnrollmentFailed
    from .sync.enroll import enroll as do_enroll

    home = home_of(ctx)
    problem = server_url_problem(server_url)
    if problem:
        fail(problem, as_json, error="invalid_server_url")
        return
    try:
        current = load_identity(home)
    except NotEnrolled:
        current = None
    if current is not None and not force:
        fail(
            f"this kiosk is already enrolled as {current.kiosk_id} at station {current.station_code} "
            f"({current.server_url}); enrolling again replaces that identity, and submissions "
            "still queued under it can then no longer be sent. Send them first "
            "('tongban kiosk sync --drain'), then repeat with --force.",
            as_json,
            error="already_enrolled",
            kiosk_id=current.kiosk_id,
        )
        return
    try:
        identity = do_enroll(home, server_url, code, name, profile)
    except EnrollmentFailed as exc:
        fail(str(exc), as_json, error=exc.reason)
        return
    emit(
        identity.public(),
        as_json,
        f"enrolled as kiosk {identity.kiosk_id} at station {identity.station_code}",
    )


def server_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the sync server's address, or None (requests would only say
    ``InvalidSchema`` for "10.0.0.5:8000")."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return (
            f"server address {url!r} must start with http:// or https:// and name a host, "
            "e.g. http://10.0.0.5:8000"
        )
    return None


@kiosk.command()
@click.option("--matter", "matter_code", required=True, help="Matter code ('tongban kiosk catalog').")
@click.option(
    "--applicant", "applicant_file", required=True, type=click.Path(exists=True, dir_okay=False),
    help="Applicant JSON (format in docs/kiosk.md; the demo's person.json works).",
)  # fmt: skip
@click.option("--pages", "page_opts", multiple=True, type=click.Path(exists=True, dir_okay=False))
@click.argument("more_pages", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--material", "material_opts", multiple=True, metavar="CODE=FILE", help="A page of a named material."
)
@click.option(
    "--delivery", type=click.Choice(["pickup", "mail", "electronic"]), default="pickup", show_default=True
)
@click.option("--address", default="", help="Mailing address (for --delivery mail).")
@click.option(
    "--answer", "answer_opts", multiple=True, metavar="CODE=yes|no", help="Conditional-material answer."
)
@click.option("--allow-incomplete", is_flag=True, help="Queue it although the check finds it incomplete.")
@click.option("--reason", default=None, help="Why it goes incomplete (with --allow-incomplete; recorded).")
@json_option
@click.pass_context
def submit(ctx: click.Context, matter_code: str, applicant_file: str, page_opts: tuple[str, ...],
           more_pages: tuple[str, ...], material_opts: tuple[str, ...], delivery: str, address: str,
           answer_opts: tuple[str, ...], allow_incomplete: bool, reason: str | None,
           as_json: bool) -> None:  # fmt: skip
    """Queue a finalized submission and print its receipt number.

    The pages go through the app's own visit: the same identity checks, completeness
    check and manifest. Loose --pages fill the guide's required materials in order;
    --material CODE=FILE puts a page under a named material. An incomplete submission
    is refused unless --allow-incomplete --reason says why (the reason is recorded).
    """
    from .submit_build import (
        ApplicantFile,
        HeadlessSubmission,
        PageFile,
        SubmissionRefused,
        assign_pages,
    )
    from .submit_build import submit as submit_files

    if allow_incomplete != bool(reason and reason.strip()):
        fail("--allow-incomplete and --reason go together", as_json, error="invalid_input")
        return
    store = open_store(ctx, as_json)
    try:
        identity = store.identity()
        catalog = CatalogCache(store.home).current()
        try:
            matter = catalog.matter(matter_code)
        except KeyError:
            raise ValueError(
                f"unknown matter {matter_code!r}; 'tongban kiosk catalog' lists the matter codes"
            ) from None
        applicant = ApplicantFile.parse(
            json.loads(Path(applicant_file).read_text(encoding="utf-8")), source=applicant_file
        )
        explicit: dict[str, list[PageFile]] = {}
        for item in material_opts:
            code, sep, file = item.partition("=")
            if not sep:
                raise ValueError(f"--material expects CODE=FILE, got {item!r}")
            explicit.setdefault(code, []).append(PageFile.read(Path(file)))
        loose = [PageFile.read(Path(p)) for p in (*page_opts, *more_pages)]
        answers = {
            k: v.lower() in ("yes", "y", "true", "1", "是")
            for k, _, v in (a.partition("=") for a in answer_opts)
        }
        request = HeadlessSubmission(
            matter.code, applicant, assign_pages(matter, loose, explicit), answers,
            Delivery(delivery), address, reason.strip() if reason else None,
        )  # fmt: skip
        done = submit_files(store, identity, catalog, request)
    except SubmissionRefused as exc:
        issues = [i.message for i in exc.issues]
        message = "\n  - ".join([str(exc), *issues])
        fail(message, as_json, error="incomplete" if issues else "invalid_submission", issues=issues)
        return
    except (NotEnrolled, ValueError, SchemaError, OSError) as exc:
        fail(str(exc), as_json, error="invalid_input")
        return
    finally:
        store.close()
    manifest = done.manifest
    result = {
        "receipt_no": done.receipt_no,
        "client_uuid": str(manifest.client_uuid),
        "pages": sum(len(m.pages) for m in manifest.materials),
        "complete": manifest.completeness.complete,
        "issues": [i.message for i in manifest.completeness.issues],
        "incomplete_reason": manifest.incomplete_accepted.reason if manifest.incomplete_accepted else None,
    }
    emit(result, as_json, _submitted_text)


def _submitted_text(r: dict[str, Any]) -> str:
    if r["complete"]:
        return r["receipt_no"]
    missing = "; ".join(r["issues"])
    return f"{r['receipt_no']} (queued INCOMPLETE: {missing}; reason: {r['incomplete_reason']})"


def _settings(**opts: Any) -> Any:
    from .sync.service import SyncSettings

    settings = SyncSettings()
    for key, value in opts.items():
        if value is not None:
            setattr(settings, key, value)
    return settings


@kiosk.command()
@click.option("--once", is_flag=True, help="One cycle, then exit (exit code 1 if it failed).")
@click.option("--drain", is_flag=True, help="Repeat cycles until nothing waits, then exit.")
@click.option("--interval", type=float, default=None, help="Seconds between cycles (default 60).")
@click.option("--bandwidth", "bandwidth_bps", type=float, default=None, help="Upload cap in bytes/s.")
@click.option("--retry-base", type=float, default=None, help="Backoff base in seconds.")
@click.option("--retry-cap", type=float, default=None, help="Longest wait between retries.")
@click.option(
    "--tries", "request_tries", type=int, default=None, help="Tries per request before a cycle gives up."
)
@click.option("--timeout", type=float, default=None, help="Read timeout per request in seconds.")
@json_option
@click.pass_context
def sync(
    ctx: click.Context,
    once: bool,
    drain: bool,
    as_json: bool,
    timeout: float | None,
    retry_base: float | None,
    retry_cap: float | None,
    **opts: Any,
) -> None:
    """Push waiting submissions, pull statuses and catalog, send a heartbeat."""
    from .sync.service import SyncService
    from .sync.worker import SyncWorker

    cycle = {"cycle_base": retry_base, "cycle_cap": retry_cap} if retry_base or retry_cap else {}
    settings = _settings(retry_base=retry_base, retry_cap=retry_cap, **cycle, **opts)
    if timeout:
        settings.timeout = (min(10.0, timeout), timeout)
    store = open_store(ctx, as_json)
    service = SyncService(store, settings)
    if once:
        report = service.run_once()
        store.close()
        emit(report.to_dict(), as_json, _report_text)
        raise SystemExit(0 if report.ok else 1)

    def show(report: Any) -> None:
        emit(report.to_dict(), as_json, _report_text)
        if not report.ok and not as_json:
            click.echo("will retry with backoff; Ctrl-C stops (--once runs one cycle)", err=True)

    worker = SyncWorker(service, on_report=show, stop_when_idle=drain)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: worker.stop_event.set() or worker.trigger())
    worker.start()
    while worker._thread is not None and worker._thread.is_alive():
        worker.join(0.5)
    worker.stop()
    store.close()


def _report_text(r: dict[str, Any]) -> str:
    p = r["pushed"]
    head = "sync ok" if r["ok"] else f"sync failed: {r['error']}"
    return (
        f"{head}; acknowledged {p['acknowledged']}, held {len(p['failed'])}, "
        f"pages sent {p['blobs_uploaded']} (skipped {p['blobs_skipped']}), "
        f"status changes {r['feed_changes']}, evaluations {r['evaluations_sent']}"
    )


@kiosk.command(name="db-revision")
@click.argument("message")
def db_revision(message: str) -> None:
    """For developers: write a migration for a change of kiosk/store/models.py."""
    from .store.migrate import revision

    click.echo(f"wrote {revision(message)}; review it, then run the kiosk tests")


for _cmd in (status, catalog, export, purge, recover, requeue):
    kiosk.add_command(_cmd)

# --- the Kivy app: ``tongban kiosk run`` is added by the UI (issue 5) in kiosk/app_cmd.py ---
try:
    from .app_cmd import run as _run_app  # type: ignore[import-not-found]
except ImportError:  # the UI is not installed (server-only machine) or not written yet
    _run_app = None
if _run_app is not None:
    kiosk.add_command(_run_app)
    from .app_cmd import set_pin as _set_pin

    kiosk.add_command(_set_pin)
