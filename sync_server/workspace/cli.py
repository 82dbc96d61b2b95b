"""``tongban server create-user`` and ``tongban server sms-dispatch``."""

from __future__ import annotations

import sys

import click

from tongban_cli.common import emit, fail, json_option

from .roles import Role


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--department", "department_code", default=None, help="Department code (reviewers).")
@click.option("--station", "station_code", default=None, help="Station code (station staff).")
@click.option("--full-name", default=None, help="Name shown on forms (default: the username).")
@click.option("--phone", default=None, help="Mobile number for deadline (督办) SMS.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@json_option
@click.pass_context
def create_user_cmd(
    ctx: click.Context,
    username: str,
    role: str,
    department_code: str | None,
    station_code: str | None,
    full_name: str | None,
    phone: str | None,
    password_stdin: bool,
    as_json: bool,
) -> None:
    """Create a workspace account (password hashed with argon2id)."""
    from ..cli import make_app
    from ..db import get_db
    from .accounts import create_user
    from .errors import WorkspaceError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = make_app(ctx)
    try:
        with get_db(app).transaction(write=True) as session:
            user = create_user(
                session, username, role, password, full_name=full_name,
                department_code=department_code, station_code=station_code, phone=phone,
            )  # fmt: skip
            result = {"id": user.id, "username": user.username, "role": user.role,
                      "department_code": user.department_code, "station_code": user.station_code}  # fmt: skip
    except WorkspaceError as exc:
        fail(exc.message, as_json)
        return
    emit(result, as_json, lambda r: f"user {r['username']} created ({r['role']})")


@click.command("sms-dispatch")
@json_option
@click.pass_context
def sms_dispatch_cmd(ctx: click.Context, as_json: bool) -> None:
    """Send queued SMS through the configured sender (default: the sms_log table)."""
    from ..cli import make_app
    from ..db import get_db
    from .sms import dispatch, load_sender

    app = make_app(ctx)
    sent = dispatch(get_db(app), load_sender(app.config.get("SMS_SENDER")), limit=10_000)
    emit({"sent": sent}, as_json, lambda r: f"{r['sent']} message(s) sent")


def register(group: click.Group) -> None:
    group.add_command(create_user_cmd)
    group.add_command(sms_dispatch_cmd)
    from .supervision_cli import supervise_cmd

    group.add_command(supervise_cmd)
