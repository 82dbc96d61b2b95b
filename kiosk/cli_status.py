"""``tongban kiosk status|catalog|export|purge|recover|requeue``: look and tidy up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import click

from tongban_cli.common import emit, fail, home_of, json_option

from .store import KioskStore, NotEnrolled, Outbox, OutboxState, StoreCorrupt, meta
from .store.schema_version import MigrationFailed
from .sync.catalog import CatalogCache


def open_store(ctx: click.Context, as_json: bool = False, check: str = "quick") -> KioskStore:
    """Open the kiosk home; a corrupt database ends the command with the way out."""
    try:
        return KioskStore(home_of(ctx), check=check)
    except StoreCorrupt as exc:
        fail(str(exc), as_json, code=3, error="store_corrupt", findings=exc.findings)
        raise  # unreachable: fail exits
    except MigrationFailed as exc:  # a newer release's database, or a migration gone wrong
        fail(str(exc), as_json, code=3, error="migration_failed")
        raise


@click.command()
@click.argument("receipt_no", required=False)
@click.option("--limit", default=20, show_default=True, help="How many recent submissions to list.")
@json_option
@click.pass_context
def status(ctx: click.Context, receipt_no: str | None, limit: int, as_json: bool) -> None:
    """Queue, last sync, catalog; or one submission's state when RECEIPT_NO is given."""
    with open_store(ctx, as_json) as store:
        outbox = Outbox(store)
        if receipt_no:
            entry = outbox.find(receipt_no.strip().upper())
            if entry is None:
                fail(f"no submission {receipt_no} on this kiosk", as_json, code=1, error="unknown_receipt")
                return
            earlier = outbox.renumbered_from(entry.client_uuid)
            renumbered = f" (renumbered from {', '.join(earlier)})" if earlier else ""
            emit(
                {**entry.to_dict(), "renumbered_from": earlier},
                as_json,
                f"{entry.receipt_no}: {entry.state.value}{renumbered}",
            )
            return
        try:
            identity: dict[str, Any] | None = store.identity().public()
        except NotEnrolled:
            identity = None
        with store.db.read() as s:
            sync_info = {
                k: meta.get(s, k) for k in (meta.LAST_SUCCESS_AT, meta.LAST_ATTEMPT_AT, meta.LAST_ERROR)
            }
            sync_info[meta.FEED_CURSOR] = meta.get(s, meta.FEED_CURSOR, "0")
        cache = CatalogCache(store.home)
        oldest = outbox.oldest_waiting_at()
        result = {
            "kiosk": identity,
            "counts": outbox.counts(),
            "oldest_waiting_at": oldest.isoformat() if oldest else None,
            "sync": sync_info,
            "catalog": {"version": cache.version(), "source": cache.source},
            "recent": [e.to_dict() for e in outbox.entries(limit=limit)],
        }
    emit(result, as_json, _status_text)


def _status_text(r: dict[str, Any]) -> str:
    who = r["kiosk"]
    lines = [
        f"kiosk: {who['kiosk_id']} at {who['station_code']} ({who['server_url']})"
        if who
        else "kiosk: not enrolled",
        "queue: " + (", ".join(f"{k} {v}" for k, v in sorted(r["counts"].items())) or "empty"),
        f"oldest waiting: {r['oldest_waiting_at'] or '-'}",
        f"last sync ok: {r['sync'][meta.LAST_SUCCESS_AT] or 'never'}",
        f"last error: {r['sync'][meta.LAST_ERROR] or '-'}",
        f"catalog: {r['catalog']['version']} ({r['catalog']['source']})",
    ]
    lines += [f"  {e['receipt_no']}  {e['state']:<22} {e['matter_code']}" for e in r["recent"]]
    return "\n".join(lines)


@click.command()
@json_option
@click.pass_context
def catalog(ctx: click.Context, as_json: bool) -> None:
    """The cached matters (the packaged demo catalog before the first sync)."""
    cache = CatalogCache(home_of(ctx))
    current = cache.current()
    result = {
        "version": current.version.version,
        "source": cache.source,
        "matters": [
            {"code": m.code, "name": m.name, "domain": m.domain, "handling_mode": m.handling_mode.value}
            for m in current.matters
        ],
    }
    emit(result, as_json, lambda r: "\n".join([f"catalog {r['version']} ({r['source']})"] + [
        f"  {m['code']:<14} {m['name']}" for m in r["matters"]]))  # fmt: skip


@click.command()
@click.option(
    "--to", "target", required=True, type=click.Path(file_okay=False), help="Folder (e.g. a USB stick)."
)
@json_option
@click.pass_context
def export(ctx: click.Context, target: str, as_json: bool) -> None:
    """Write a sealed (encrypted) bundle of all waiting submissions (sneakernet)."""
    from pathlib import Path

    from .export import ExportError, export_bundle

    with open_store(ctx, as_json) as store:
        try:
            result = export_bundle(store, Path(target))
        except (ExportError, NotEnrolled) as exc:
            fail(
                str(exc),
                as_json,
                error="nothing_to_export" if isinstance(exc, ExportError) else "not_enrolled",
            )
            return
    emit(
        result.to_dict(),
        as_json,
        lambda r: f"wrote {r['path']} ({r['submissions']} submissions, {r['blobs']} pages)",
    )


@click.command()
@click.option(
    "--after-days", type=float, default=30, show_default=True, help="Keep acknowledged data this long."
)
@click.option(
    "--drafts-after-hours", type=float, default=24, show_default=True, help="Drop abandoned drafts."
)
@click.option(
    "--results-after-days", type=float, default=30, show_default=True,
    help="Keep a result PDF this long after its handover.",
)  # fmt: skip
@json_option
@click.pass_context
def purge(
    ctx: click.Context, after_days: float, drafts_after_hours: float, results_after_days: float, as_json: bool
) -> None:
    """Delete personal data of submissions the server acknowledged long enough ago."""
    from .store.purge import purge as do_purge

    with open_store(ctx, as_json) as store:
        report = do_purge(
            store, timedelta(days=after_days), timedelta(hours=drafts_after_hours),
            results_after=timedelta(days=results_after_days),
        )  # fmt: skip
    text = (
        f"purged {report.submissions} submissions, {report.drafts} drafts, {report.page_files} page files, "
        f"{report.results} results"
    )
    emit(report.to_dict(), as_json, text)


@click.command()
@json_option
@click.pass_context
def recover(ctx: click.Context, as_json: bool) -> None:
    """Move a corrupt database aside and rebuild the outbox from the sealed manifests."""
    from .store.recovery import recover as do_recover

    report = do_recover(home_of(ctx))
    text = f"database moved to {report.moved_to}; {report.recovered} submissions queued again"
    emit(report.to_dict(), as_json, f"{text}; unreadable: {len(report.unreadable)}")


@click.command()
@click.argument("receipt_no")
@json_option
@click.pass_context
def requeue(ctx: click.Context, receipt_no: str, as_json: bool) -> None:
    """Send a submission the server refused (state failed) again, after staff checked it."""
    with open_store(ctx, as_json) as store:
        outbox = Outbox(store)
        entry = outbox.find(receipt_no.strip().upper())
        if entry is None or entry.state is not OutboxState.failed:
            fail(
                f"{receipt_no} is not a failed submission on this kiosk", as_json, code=1, error="not_failed"
            )
            return
        outbox.requeue(entry.client_uuid)
    emit({"receipt_no": entry.receipt_no, "state": "finalized"}, as_json, f"{entry.receipt_no} queued again")
