"""What every command group shares: where its data lives (``--home``) and ``--json``."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from platformdirs import user_data_dir


def resolve_home(value: str | None, part: str) -> Path:
    """``--home``, else ``TONGBAN_HOME``, else the user's data dir; one sub-folder per part.

    Several kiosks and a server can run side by side on one machine by giving each its
    own ``--home``.
    """
    base = value or os.environ.get("TONGBAN_HOME")
    path = Path(base) if base else Path(user_data_dir("tongban")) / part
    path.mkdir(parents=True, exist_ok=True)
    return path


def home_option(part: str) -> Callable:
    """Decorator for a group (or a lone command): adds ``--home``, resolved by :func:`home_of`.

    The same option is accepted after any subcommand too (``tongban server run --home X``):
    when the group parses its own arguments, it lends this option to every subcommand,
    nested groups included, before they parse theirs. Given twice, the later one wins.
    """

    def callback(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        obj = ctx.ensure_object(dict)
        if value is not None or "home_arg" not in obj:
            obj["home_arg"] = value
        obj.setdefault("part", part)
        if isinstance(ctx.command, click.Group):
            _lend(ctx.command, option)

    option = click.Option(
        ["--home"],
        type=click.Path(file_okay=False),
        default=None,
        expose_value=False,
        callback=callback,
        is_eager=True,
        help=f"Data folder for the {part} (default: $TONGBAN_HOME or the user data dir).",
    )

    def decorate(func: Callable) -> Callable:
        if isinstance(func, click.Command):
            func.params.append(option)
        else:  # click's own convention: the command built from ``func`` collects these
            func.__dict__.setdefault("__click_params__", []).append(option)
        return func

    return decorate


def _lend(group: click.Group, option: click.Option) -> None:
    """Give ``option`` to every subcommand of ``group`` (recursively) that lacks a --home."""
    for command in group.commands.values():
        if not any(p.name == option.name for p in command.params):
            command.params.append(option)
        if isinstance(command, click.Group):
            _lend(command, option)


def home_of(ctx: click.Context) -> Path:
    """The resolved data folder of the running group (created on first use)."""
    obj = ctx.find_object(dict) or {}
    return resolve_home(obj.get("home_arg"), obj.get("part", "tongban"))


json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


F = TypeVar("F", bound=Callable[..., Any])


def catalog_dir_option(flag: str) -> Callable[[F], F]:
    """``flag`` naming a catalog folder, passed as ``catalog_dir`` (None: the packaged demo)."""
    return click.option(
        flag,
        "catalog_dir",
        type=click.Path(exists=True, file_okay=False),
        default=None,
        help="Catalog folder (default: the packaged 晋城市 demo catalog).",
    )


def emit(result: Any, as_json: bool, text: Callable[[Any], str] | str | None = None) -> None:
    """Print ``result`` as JSON, or as human text (a string or a formatter)."""
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    elif callable(text):
        click.echo(text(result))
    elif text is not None:
        click.echo(text)
    else:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))


def fail(message: str, as_json: bool = False, code: int = 2, **extra: Any) -> None:
    """Exit with a clear error (JSON body when ``--json``)."""
    if as_json:
        body = {"error": "error", **extra, "message": message}
        click.echo(json.dumps(body, ensure_ascii=False))
        raise SystemExit(code)
    raise click.ClickException(message)
