"""Entry point: ``tongban server|kiosk|scan|schema …``.

Groups load lazily so ``tongban schema`` does not import Kivy or OpenCV, and a server
without the kiosk extra still has a working ``tongban server``.
"""

from __future__ import annotations

import importlib

import click

GROUPS = {
    "server": ("sync_server.cli", "server", "Sync server: enrollment, ingest, routing, workspace."),
    "kiosk": ("kiosk.cli", "kiosk", "Self-service kiosk: run, submit, sync, status."),
    "scan": ("kiosk.scan.cli", "scan", "Scan pages: rectify, check quality, OCR, classify."),
    "schema": ("shared_schema.cli", "schema", "Shared schema: catalog, JSON Schema export."),
}


class LazyGroup(click.Group):
    """Imports a sub-group only when it is invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(GROUPS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in GROUPS:
            return None
        module, attr, _help = GROUPS[name]
        try:
            return getattr(importlib.import_module(module), attr)
        except ImportError as exc:
            missing = exc.name or str(exc)

            @click.command(name=name, help=_help)
            def unavailable() -> None:
                raise click.ClickException(
                    f"'tongban {name}' needs a package that is not installed ({missing}); "
                    "install the matching extra, e.g. pip install 'tongban[all]'"
                )

            return unavailable

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, GROUPS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Command groups"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tongban")
def cli() -> None:
    """市域通办 tongban: apply for any government service at any village service point."""


if __name__ == "__main__":
    cli()
