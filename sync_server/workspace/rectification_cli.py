"""``tongban server rectifications escalate``: tell the overdue 整改 clocks upwards.

Meant for a timer (cron or systemd, e.g. hourly on working days): each run escalates the
clocks whose escalation day has come and were not escalated before, so running it often
is harmless. ``--at`` runs it as of another moment (a drill, or a test across a holiday).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from tongban_cli.common import emit, json_option

from .supervision_cli import _parse_at


def register(server: click.Group) -> None:
    server.add_command(rectifications)


@click.group()
def rectifications() -> None:
    """整改 (9.2): rectifications opened by bad ratings and complaints."""


def _moment(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    return _parse_at(value)  # the same ISO-with-offset rule as ``tongban server supervise --at``


@rectifications.command("escalate")
@click.option("--at", "at", callback=_moment, help="Run as of this moment (ISO, with offset).")
@json_option
@click.pass_context
def escalate_cmd(ctx: click.Context, at: datetime | None, as_json: bool) -> None:
    """Escalate every overdue contact / fix clock whose escalation day has come."""
    from .. import clock
    from ..cli import _db, _require_schema, make_app
    from ..holidays import reload
    from .rectification_escalation import escalate_overdue
    from .sms import dispatch, load_sender

    app = make_app(ctx)
    _require_schema(app, as_json)
    reload(app)  # count with the imported holiday tables, as the server does
    with app.app_context(), _db(app).transaction(write=True) as session:
        made = escalate_overdue(session, at or clock.now())
        rows = [
            {"rectification": e.rectification_id, "clock": e.clock, "due": e.due.isoformat(),
             "escalated_at": e.escalated_at.isoformat(), "notified": list(e.notified)}
            for e in made
        ]  # fmt: skip
    dispatch(_db(app), load_sender(app.config.get("SMS_SENDER")), limit=10_000)  # after commit
    emit(rows, as_json, _text)


def _text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "nothing to escalate"
    return "\n".join(
        f"rectification #{r['rectification']}: {r['clock']} clock due {r['due']} escalated to "
        + (", ".join(r["notified"]) or "nobody (no staff account for the unit or the city supervisor)")
        for r in rows
    )
