"""``tongban kiosk …``: headless commands for staff, scripts and tests.

Every command opens the kiosk home (``--home``), which runs the start-up integrity check;
a corrupt database stops the command with the way out (``tongban kiosk recover``).
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import click

from shared_schema import Applicant, SchemaError
from tongban_cli.common import emit, fail, home_of, home_option, json_option

from .cli_status import catalog, export, open_store, purge, recover, requeue, status
from .store import Drafts, NotEnrolled
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
@json_option
@click.pass_context
def enroll(
    ctx: click.Context, server_url: str, code: str, name: str | None, profile: str, as_json: bool
) -> None:
    """Exchange an enrollment code for this kiosk's credentials (stored with mode 0600)."""
    from .sync.enroll import EnrollmentFailed
    from .sync.enroll import enroll as do_enroll

    try:
        identity = do_enroll(home_of(ctx), server_url, code, name, profile)
    except EnrollmentFailed as exc:
        fail(str(exc), as_json, error=exc.reason)
        return
    emit(
        identity.public(),
        as_json,
        f"enrolled as kiosk {identity.kiosk_id} at station {identity.station_code}",
    )


@kiosk.command()
@click.option("--matter", "matter_code", required=True, help="Matter code from the catalog.")
@click.option("--applicant", "applicant_file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--pages", "page_opts", multiple=True, type=click.Path(exists=True, dir_okay=False))
@click.argument("more_pages", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--material", "material_opts", multiple=True, metavar="CODE=FILE", help="A page of a named material."
)
@click.option(
    "--delivery", type=click.Choice(["pickup", "mail", "online"]), default="pickup", show_default=True
)
@click.option("--address", default=None, help="Mailing address (for --delivery mail).")
@click.option(
    "--answer", "answer_opts", multiple=True, metavar="CODE=yes|no", help="Conditional-material answer."
)
@json_option
@click.pass_context
def submit(ctx: click.Context, matter_code: str, applicant_file: str, page_opts: tuple[str, ...],
           more_pages: tuple[str, ...], material_opts: tuple[str, ...], delivery: str, address: str | None,
           answer_opts: tuple[str, ...], as_json: bool) -> None:  # fmt: skip
    """Queue a finalized submission and print its receipt number.

    Loose --pages fill the guide's required materials in order; --material CODE=FILE
    puts a page under a named material.
    """
    from .submit_build import PageFile, assign_pages, build_manifest

    store = open_store(ctx, as_json)
    try:
        identity = store.identity()
        catalog = CatalogCache(store.home).current()
        matter = catalog.matter(matter_code)
        applicant = Applicant.parse(json.loads(Path(applicant_file).read_text(encoding="utf-8")))
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
        pages = assign_pages(matter, loose, explicit)
    except (NotEnrolled, KeyError, ValueError, SchemaError, OSError) as exc:
        store.close()
        missing = f"unknown matter {exc}" if isinstance(exc, KeyError) else str(exc)
        fail(missing, as_json, error="invalid_input")
        return
    drafts = Drafts(store, identity)
    draft = drafts.create(matter.code, catalog.version.version)
    try:
        manifest = build_manifest(
            catalog, matter, identity, draft, applicant.to_json_dict(), pages,
            {"method": delivery, "address": address}, answers,
        )  # fmt: skip
        drafts.finalize_manifest(manifest, {p.sha256: p.data for files in pages.values() for p in files})
    except (SchemaError, ValueError) as exc:
        drafts.discard(draft.client_uuid)
        store.close()
        fail(str(exc), as_json, error="invalid_submission")
        return
    store.close()
    result = {
        "receipt_no": manifest.receipt_no,
        "client_uuid": str(manifest.client_uuid),
        "pages": sum(len(m.pages) for m in manifest.materials),
        "complete": manifest.completeness.complete,
        "issues": [i.message for i in manifest.completeness.issues],
    }
    emit(result, as_json, manifest.receipt_no)


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
