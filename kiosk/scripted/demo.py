"""The scripted demo visit as a function, for ``make demo`` and anything else in Python.

    run_demo_visit(
        home: Path | str,
        profile: str = "virtual",
        server_url: str | None = None,
        screenshots: Path | str | None = None,
    ) -> DemoVisit

- ``home``: the kiosk home. With ``server_url=None`` a home never enrolled gets an
  offline-only demo identity and the sync worker is not started (the kiosk is offline
  the whole visit; ``tongban kiosk enroll`` + ``tongban kiosk sync`` can send later only
  for a really enrolled home).
- ``server_url``: the home must already be enrolled with this server (``tongban kiosk
  enroll --server URL --code CODE``); the sync worker then runs during the visit, and
  the header shows online/offline as it really is. Raises ``ValueError`` otherwise.
- ``screenshots``: folder for the PNGs (default ``<home>/screenshots``).
- Returns :class:`DemoVisit`: ``screenshots`` (paths in order), ``receipt_pdfs`` and
  ``receipt_nos`` (one per visit: the home-acceptance matter first, then the entrusted
  one), ``receipt_pdf`` (the first), ``correction_pdf`` and ``report`` (the full
  :class:`~kiosk.scripted.runner.ScriptReport` as a dict, timings included).
- Raises :class:`~kiosk.scripted.errors.ScriptError` when the visit cannot be completed
  (the message names the step; a ``failure`` screenshot is saved when possible).

Kivy keeps one window per process and reads its settings on first import: call this at
most once per process, before anything imports Kivy. With no ``DISPLAY`` a private Xvfb
is started for the visit and stopped afterwards.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ScriptError


@dataclass
class DemoVisit:
    screenshots: list[Path]
    receipt_pdfs: list[Path]
    receipt_nos: list[str]
    correction_pdf: Path | None = None
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def receipt_pdf(self) -> Path | None:
        return self.receipt_pdfs[0] if self.receipt_pdfs else None


def run_demo_visit(
    home: Path | str,
    profile: str = "virtual",
    server_url: str | None = None,
    screenshots: Path | str | None = None,
) -> DemoVisit:
    home = Path(home)
    report = run_scripted(home, profile, "demo", Path(screenshots) if screenshots else None, server_url)
    if not report["ok"]:
        raise ScriptError(f"{report['error']} (screenshots: {', '.join(report['screenshots'][-1:])})")
    receipts = report["receipts"]
    corrections = [Path(r["correction_pdf"]) for r in receipts if r.get("correction_pdf")]
    return DemoVisit(
        screenshots=[Path(p) for p in report["screenshots"]],
        receipt_pdfs=[Path(r["receipt_pdf"]) for r in receipts],
        receipt_nos=[r["receipt_no"] for r in receipts],
        correction_pdf=corrections[0] if corrections else None,
        report=report,
    )


def run_scripted(
    home: Path,
    profile_name: str,
    script: str,
    shots: Path | None,
    server_url: str | None,
    launched_at: float | None = None,
) -> dict[str, Any]:
    """Xvfb if needed, Kivy settings, identity, then the app under ``script``; a report dict."""
    from kiosk.app_cmd import prepare_kivy
    from kiosk.hardware.profile import load_profile
    from kiosk.memory import tune_malloc

    tune_malloc()  # before any thread starts (a no-op when already done)

    launched = time.perf_counter() if launched_at is None else launched_at
    profile = load_profile(profile_name)
    sync = _identity_for(home, server_url)
    if script in ("demo", "faults", "return"):
        from .papers import make_papers_in_child

        began = time.perf_counter()
        make_papers_in_child(home / "demo-papers")
        launched += time.perf_counter() - began  # the papers are not part of the kiosk's launch
    xvfb = None
    if not os.environ.get("DISPLAY"):
        from .xvfb import start_xvfb

        xvfb = start_xvfb(profile.screen.width, profile.screen.height)
        os.environ["DISPLAY"] = xvfb.display
    try:
        prepare_kivy(profile, home)
        from .runner import run_script

        shots = shots or home / "screenshots"
        return run_script(home, profile_name, script, shots, launched, sync=sync).to_dict()
    finally:
        if xvfb is not None:
            xvfb.stop()


def _identity_for(home: Path, server_url: str | None) -> bool:
    """Whether the sync worker should run: only for a home enrolled with ``server_url``."""
    from kiosk.runtime import ensure_demo_identity, kiosk_catalog
    from kiosk.store import KioskStore, NotEnrolled

    if server_url is None:
        ensure_demo_identity(home, lambda: kiosk_catalog(home).stations[0].code)
        return False
    store = KioskStore(home)
    try:
        identity = store.identity()
    except NotEnrolled:
        raise ValueError(
            f"{home} is not enrolled: run 'tongban kiosk enroll --server {server_url} --code CODE' first"
        ) from None
    finally:
        store.close()
    if identity.server_url.rstrip("/") != server_url.rstrip("/"):
        raise ValueError(f"{home} is enrolled with {identity.server_url}, not {server_url}")
    return True
