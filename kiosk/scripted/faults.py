"""The ``faults`` script: the scan worker dies in the middle of a capture.

A resident has one page captured; the worker is frozen, asked for the next page and
killed while it holds the request (as a crash or the out-of-memory killer would). The
screen must say so in plain Chinese, keep every page already given, and the same
Capture button must work again with a new worker. Going Home stops the worker.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field

from ..visit.steps import Step
from .driver import Driver, ScriptError
from .papers import DemoPapers
from .visits import PENSION, _capture_for, _identity, _must_capture


@dataclass
class FaultReport:
    message: str = ""  # what the materials screen said after the worker died
    pages_kept: dict[str, int] = field(default_factory=dict)  # pages per material after the crash
    drafts_kept: int = 0  # page files still in the visit's draft folder
    retake_ok: bool = False
    workers_started: int = 0
    worker_stopped_at_home: bool = False


def run_faults(driver: Driver, papers: DemoPapers) -> FaultReport:
    ctx, report = driver.app.ctx, FaultReport()
    scanner = ctx.scanner
    driver.tap("Search by name")
    driver.type_keys("ylbx")
    driver.tap(ctx.catalog.matter(PENSION).name, expect=Step.guide)
    driver.tap("Start applying", expect=Step.identity)
    _identity(driver, papers, by_camera=False)
    _must_capture(driver, "id_card_front", papers.files["id_front"])

    pid = scanner.pid()
    if pid is None:
        raise ScriptError("no scan worker while capturing")
    os.kill(pid, signal.SIGSTOP)  # it takes the request and never answers…
    driver.screen.select("id_card_back")
    ctx.devices.camera.place(papers.files["id_back"])
    driver.tap("Capture")
    driver.wait(lambda: scanner.in_flight, 10, "the request to reach the worker")
    os.kill(pid, signal.SIGKILL)  # …and dies with it
    driver.idle()
    visit = ctx.flow.visit
    report.message = driver.screen.message.raw
    report.pages_kept = {code: len(pages) for code, pages in visit.pages.items()}
    report.drafts_kept = sum(1 for p in visit.folder.rglob("*") if p.is_file())
    driver.shot("materials-worker-stopped")

    report.retake_ok = _capture_for(driver, "id_card_back", papers.files["id_back"])
    report.workers_started = scanner.started
    driver.tap("Home", expect=Step.home)
    driver.wait(lambda: scanner.pid() is None, 15, "the scan worker to stop at Home")
    report.worker_stopped_at_home = True
    return report
