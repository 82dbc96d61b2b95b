"""``tongban kiosk run --profile NAME [--script demo]``: open the kiosk.

Without ``--script`` this is the kiosk itself (full screen on a real kiosk profile).
With ``--script`` the app is driven through a scripted visit; where there is no display
a private Xvfb is started, so ``make demo`` works on a headless machine too. The
result (screenshots, receipt PDFs, timings) is printed, as JSON with ``--json``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from shared_schema import SchemaError
from tongban_cli.common import emit, fail, home_of, json_option


def prepare_kivy(profile, home: Path, screen: tuple[int, int] | None = None) -> None:
    """Kivy reads its environment and config on first import: set both before that."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "MIXED")  # leave sys.stderr and the root logger alone
    os.environ.setdefault("KIVY_HOME", str(home / "kivy"))
    from kivy.config import Config

    width, height = screen or (profile.screen.width, profile.screen.height)
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if profile.screen.fullscreen and not screen else "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "multisamples", "0")  # flat UI: no anti-aliasing (a third of a frame)
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")


def _describe(report: dict) -> str:
    lines = [f"scripted visit {'finished' if report['ok'] else 'FAILED: ' + str(report['error'])}"]
    lines.append(f"launch to home: {report['launch_to_home_ms']:.0f} ms, RSS {report['rss_mb']:.0f} MB")
    for receipt in report["receipts"]:
        lines.append(f"receipt {receipt['receipt_no']} ({receipt['matter_code']}): {receipt['receipt_pdf']}")
        if receipt.get("correction_pdf"):
            lines.append(f"  one-time correction notice: {receipt['correction_pdf']}")
    lines += [f"screenshot: {path}" for path in report["screenshots"]]
    return "\n".join(lines)


@click.command("run")
@click.option(
    "--profile",
    "profile_name",
    default="virtual",
    show_default=True,
    help="Hardware profile name or YAML path.",
)
@click.option(
    "--script",
    type=click.Choice(["demo", "faults", "launch", "return", "feedback"]),
    default=None,
    help=(
        "Drive a scripted visit instead of waiting for people (faults: the scan worker crashes;"
        " return: 补交材料 and results kept here, from the progress screen;"
        " feedback: 意见建议 from the guide, its answer by receipt number)."
    ),
)
@click.option(
    "--screenshots",
    type=click.Path(file_okay=False),
    default=None,
    help="Where the script saves screenshots (default <home>/screenshots).",
)
@json_option
@click.pass_context
def run(
    ctx: click.Context, profile_name: str, script: str | None, screenshots: str | None, as_json: bool
) -> None:
    """Open the kiosk UI (Kivy) with the given hardware profile."""
    launched = process_started()
    from kiosk.memory import tune_malloc

    tune_malloc()  # before any thread starts
    from kiosk.hardware.profile import load_profile
    from kiosk.store import NotEnrolled

    home = home_of(ctx)
    try:
        profile = load_profile(profile_name)
    except SchemaError as exc:
        fail(str(exc), as_json)
        return
    if script:
        from kiosk.scripted.demo import run_scripted

        shots = Path(screenshots) if screenshots else None
        report = run_scripted(home, profile_name, script, shots, enrolled_server(home), launched)
        emit(report, as_json, _describe)
        if not report["ok"]:
            raise SystemExit(1)
        return
    prepare_kivy(profile, home)
    from kiosk.app import KioskApp
    from kiosk.runtime import open_kiosk

    try:
        kiosk_ctx = open_kiosk(home, profile_name)
    except NotEnrolled:
        fail("this kiosk is not enrolled: run 'tongban kiosk enroll --server URL --code CODE' first", as_json)
        return
    KioskApp(kiosk_ctx).run()


def process_started() -> float:
    """This process's start on the ``perf_counter`` clock: launch time includes Python's start-up."""
    try:
        import psutil

        age = time.time() - psutil.Process().create_time()
    except Exception:  # psutil missing or /proc unreadable: count from here
        age = 0.0
    return time.perf_counter() - max(age, 0.0)


def enrolled_server(home: Path) -> str | None:
    """The server this home is enrolled with; None for none or the offline demo identity."""
    from kiosk.runtime import OFFLINE_URL
    from kiosk.store import NotEnrolled, load_identity

    try:
        url = load_identity(home).server_url
    except NotEnrolled:
        return None
    return None if url == OFFLINE_URL else url


@click.command("set-pin")
@click.option("--pin-stdin", is_flag=True, help="Read the PIN from standard input (scripts).")
@json_option
@click.pass_context
def set_pin(ctx: click.Context, pin_stdin: bool, as_json: bool) -> None:
    """Set this kiosk's staff assist PIN (4-12 digits; stored as an argon2 hash)."""
    import sys

    from kiosk.visit.pin import AssistPin

    if pin_stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = click.prompt("New assist PIN", hide_input=True, confirmation_prompt=True)
    home = home_of(ctx)
    try:
        AssistPin(home, None).set_pin(pin)
    except ValueError as exc:
        fail(str(exc), as_json, error="bad_pin")
        return
    emit({"home": str(home), "pin_set": True}, as_json, f"assist PIN set for the kiosk at {home}")
