"""The scan worker process behind the visit's Scanner (``kiosk/visit/scan_process.py``).

Real child processes: a QR read through the worker; a worker that died while idle is
replaced without a word; one that dies holding a request raises ScannerStopped and the
next request works with a new worker; an idle worker stops by itself; the visit starts
the worker where it captures and stops it at Home.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import pytest

from kiosk.runtime import scan_worker_follows
from kiosk.scripted.papers import receipt_qr_capture
from kiosk.visit.flow import VisitFlow
from kiosk.visit.ports import ScannerStopped
from kiosk.visit.scan_process import ProcessScanner
from kiosk.visit.steps import Step
from tests.support.waiting import wait_until

NUMBER = "ZZ1305-KAPP1-20250102-0007"


@pytest.fixture
def scanner(tmp_path: Path) -> Iterator[ProcessScanner]:
    opened = ProcessScanner(tmp_path / "scans", idle_stop_s=60.0, reply_timeout_s=60.0)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def qr(tmp_path_factory: pytest.TempPathFactory):
    path = receipt_qr_capture(NUMBER, tmp_path_factory.mktemp("qr") / "qr.jpg")
    return cv2.imread(str(path))


def test_reads_codes_in_a_worker_and_replaces_one_that_died_idle(scanner: ProcessScanner, qr) -> None:
    assert scanner.codes(qr) == [NUMBER]
    first = scanner.pid()
    assert first is not None and first != os.getpid()
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: scanner.pid() is None, "the killed worker to be reaped")
    assert scanner.codes(qr) == [NUMBER]  # no error: nobody was waiting on the dead one
    assert scanner.pid() not in (None, first) and scanner.started == 2


def test_a_worker_dying_with_a_request_is_told_then_replaced(scanner: ProcessScanner, qr) -> None:
    assert scanner.codes(qr) == [NUMBER]
    pid = scanner.pid()
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # holds the request without answering
    outcome: list[object] = []
    asking = threading.Thread(target=lambda: outcome.append(_catch(lambda: scanner.codes(qr))))
    asking.start()
    wait_until(lambda: scanner.in_flight, "the request to reach the worker")
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not asking.is_alive(), "the asking thread to be told")
    assert len(outcome) == 1 and isinstance(outcome[0], ScannerStopped)
    assert scanner.codes(qr) == [NUMBER]  # the resident tries again: a new worker answers
    assert scanner.started == 2


def test_an_idle_worker_stops_by_itself(tmp_path: Path, qr) -> None:
    scanner = ProcessScanner(tmp_path / "scans", idle_stop_s=0.5)
    try:
        assert scanner.codes(qr) == [NUMBER]
        pid = scanner.pid()
        assert pid is not None
        # pid() answers None only once the worker is reaped: no process, not even a zombie
        wait_until(lambda: scanner.pid() is None, "the idle worker to stop")
        assert not Path(f"/proc/{pid}").exists()
    finally:
        scanner.close()


def test_the_visit_starts_the_worker_where_it_captures_and_stops_it_at_home(tmp_path: Path) -> None:
    scanner = ProcessScanner(tmp_path / "scans")
    starts: list[Step] = []
    start = scanner.start
    scanner.start = lambda preload=True: (starts.append(flow.step), start(preload))  # type: ignore[method-assign]
    flow = VisitFlow(tmp_path / "drafts")
    scan_worker_follows(flow, scanner)
    try:
        flow.go(Step.guide)  # its models load while the resident reads the guide
        assert starts == [Step.guide]
        wait_until(lambda: scanner.pid() is not None, "the worker to start at the guide")
        first = scanner.pid()
        flow.go(Step.identity)
        assert starts == [Step.guide, Step.identity]
        assert scanner.pid() == first
        flow.home()
        wait_until(lambda: scanner.pid() is None, "the worker to stop at Home")
        assert scanner.started == 1  # identity kept the guide's worker
    finally:
        scanner.close()


def _catch(call: Callable[[], object]) -> object:
    try:
        return call()
    except Exception as exc:  # the test looks at which one
        return exc


def test_the_profile_engine_reaches_the_worker(tmp_path: Path) -> None:
    """``scan.engine`` of the hardware profile is the engine the worker's pipeline loads."""
    from kiosk.visit.scan_adapter import PipelineScanner

    assert PipelineScanner(tmp_path / "a", "tesseract")._loaded().ocr.name == "tesseract"
    assert PipelineScanner(tmp_path / "b")._loaded().ocr.name == "rapidocr"  # the default
    scanner = ProcessScanner(tmp_path / "scans", engine="tesseract")
    try:
        scanner.start(preload=False)
        wait_until(lambda: scanner.pid() is not None, "the worker to start")
        cmdline = Path(f"/proc/{scanner.pid()}/cmdline").read_bytes().split(b"\0")
        assert cmdline[cmdline.index(b"--engine") + 1] == b"tesseract"
    finally:
        scanner.close()
