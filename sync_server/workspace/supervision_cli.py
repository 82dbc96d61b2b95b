"""``tongban server supervise``: one supervision pass, for a systemd timer or cron.

``--at`` runs the pass as if it were that moment (a drill across a holiday, the demo).
The pass's SMS go out after it commits, through the configured sender.
"""

from __future__ import annotations

from datetime import datetime

import click

from tongban_cli.common import emit, fail, json_option


def _parse_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("an ISO date-time with its offset, e.g. 2026-10-09T09:00+08:00") from None
    if moment.tzinfo is None:
        raise click.BadParameter("give the offset, e.g. +08:00")
    return moment


@click.command("supervise")
@click.option("--at", "at", default=None, help="Run as of this moment (ISO, with offset).")
@json_option
@click.pass_context
def supervise_cmd(ctx: click.Context, at: str | None, as_json: bool) -> None:
    """Warn owners of clocks about to run out; escalate overdue cases (idempotent)."""
    from ..cli import make_app
    from ..db import get_db, utcnow
    from ..holidays import reload
    from .sms import dispatch, load_sender
    from .supervision_run import supervise

    try:
        moment = _parse_at(at) or utcnow()
    except click.BadParameter as exc:
        fail(str(exc.message), as_json)
        return
    app = make_app(ctx)
    reload(app)  # the imported holiday tables: no request here to refresh them
    db = get_db(app)
    with app.app_context(), db.transaction(write=True) as session:
        report = supervise(session, moment)
    sent = dispatch(db, load_sender(app.config.get("SMS_SENDER")), limit=10_000)
    result = {**report.as_dict(), "sms_sent": sent, "at": moment.isoformat()}
    emit(result, as_json, _describe)


def _describe(r: dict) -> str:
    if r["day_off"]:
        return f"{r['at']}: a day off, nothing to do"
    steps = ", ".join(f"{k} {v}" for k, v in sorted(r["recorded"].items())) or "no new steps"
    return f"{r['at']}: {steps}; {r['unassigned']} unassigned; {r['sms_sent']} SMS sent"
