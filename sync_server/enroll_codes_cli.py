"""``tongban server enroll-codes --station S --count N --out codes.csv``: many one-time
enrollment codes in one call, for an installer setting up a county's kiosks.

One process start and one transaction for all of them (one ``enroll-kiosk`` call per code
took 251 s for 300 codes, almost all of it starting the command). The file holds live
credentials until they are used or expire: it is written readable by its owner only,
and never overwritten.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import click

from tongban_cli.common import emit, fail, json_option

from .errors import ApiError

MAX_CODES = 10_000


def register(server: click.Group) -> None:
    server.add_command(enroll_codes)


@click.command("enroll-codes")
@click.option(
    "--station",
    "stations",
    multiple=True,
    required=True,
    help="Station code (repeat for several stations; --count codes each).",
)
@click.option("--count", type=click.IntRange(1, MAX_CODES), required=True, help="Codes per station.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV file to create (code, station_code, expires_at); must not exist.",
)
@click.option("--ttl", default="7d", show_default=True, help="How long the codes stay valid.")
@json_option
@click.pass_context
def enroll_codes(
    ctx: click.Context, stations: tuple[str, ...], count: int, out: Path, ttl: str, as_json: bool
) -> None:
    """Create many one-time enrollment codes at once, written to a CSV file."""
    from .cli import _db, make_app, parse_duration
    from .db import utcnow
    from .enrollment import create_code

    app = make_app(ctx)
    lifetime = parse_duration(ttl)
    if out.exists():
        fail(f"{out} exists; choose a new file (codes are never overwritten)", as_json, reason="exists")
        return
    now = utcnow()
    try:
        with _db(app).transaction(write=True) as session:
            rows = [
                (create_code(session, station, lifetime, now), station)
                for station in stations
                for _ in range(count)
            ]
    except ApiError as exc:
        fail(exc.message, as_json, reason=exc.code)
        return
    expires = (now + lifetime).isoformat()
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "station_code", "expires_at"])
        writer.writerows((code, station, expires) for code, station in rows)
    result = {"codes": len(rows), "stations": list(stations), "out": str(out), "expires_at": expires}
    emit(result, as_json, lambda r: f"{r['codes']} codes in {r['out']}, valid until {r['expires_at']}")
