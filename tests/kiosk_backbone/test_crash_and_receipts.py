"""A finalized submission survives kill -9; receipt numbers are never issued twice."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

from kiosk.store import Drafts, KioskStore, Outbox, OutboxState
from kiosk.store.db import check_integrity
from kiosk.store.receipt_no import format_receipt_no
from shared_schema.protocol import sha256_hex
from shared_schema.receipts import kiosk_short_of
from shared_schema.submission import RECEIPT_NO
from tests.support.waiting import STUCK_S

ROOT = Path(__file__).resolve().parents[2]


def _worker(home: Path, mode: str, count: int, start: int = 0) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.kiosk_backbone.crash_worker", str(home), mode, str(count), str(start)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_finalized_submissions_survive_sigkill(home: Path) -> None:
    proc = _worker(home, "finalize", 1000)
    reported: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        reported.append(line.split()[1])
        if len(reported) == 6:
            proc.send_signal(signal.SIGKILL)  # in the middle of the 7th finalize
            break
    proc.wait(STUCK_S)  # after SIGKILL: only the reaping
    assert proc.returncode == -signal.SIGKILL
    assert check_integrity(home / "kiosk.db", full=True) == []
    with KioskStore(home, check="full") as store:
        outbox = Outbox(store)
        assert outbox.recover_interrupted() == 0
        for uuid in reported:
            assert outbox.get(uuid).state is OutboxState.finalized
            manifest = outbox.manifest(uuid)
            assert str(manifest.client_uuid) == uuid
            for sha in manifest.page_hashes():
                assert sha256_hex(store.pages.get(sha)) == sha
        waiting = set(outbox.waiting_uuids())
        assert set(reported) <= waiting and len(waiting) <= len(reported) + 1  # the 7th: all or nothing
        assert not list((home / "pages").rglob(".tmp-*"))  # leftovers cleaned at open


def test_receipt_numbers_match_the_shared_pattern() -> None:
    number = format_receipt_no("cq0100", kiosk_short_of("k-ab12cd"), date(2026, 3, 5), 7)
    assert number == "CQ0100-KAB12CD-20260305-0007"
    assert re.match(RECEIPT_NO, number)


def test_receipt_numbers_unique_across_restarts_and_kills(home: Path) -> None:
    seen: list[str] = []
    for round_ in range(3):
        proc = _worker(home, "reserve", 1000, start=round_ * 1000)
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line.split()[1])
            if len(seen) % 15 == 0:
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(STUCK_S)  # after SIGKILL: only the reaping
    with KioskStore(home) as store:
        seen.append(Drafts(store).create("JC-RS-001", "2024.06.01").receipt_no)
    assert len(seen) == len(set(seen)) == 46
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in seen)
    assert seqs[-1] >= 46  # a number reserved in a killed transaction may be skipped, never reused


def test_receipt_numbers_unique_under_concurrency(home: Path) -> None:
    procs = [_worker(home, "reserve", 20, start=i * 100) for i in range(3)]
    numbers: list[str] = []
    errors: list[BaseException] = []

    def reserve_in_thread() -> None:
        try:
            with KioskStore(home) as store:
                drafts = Drafts(store)
                numbers.extend(drafts.create("JC-RS-001", "2024.06.01").receipt_no for _ in range(10))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reserve_in_thread) for _ in range(3)]
    for t in threads:
        t.start()
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        numbers.extend(line.split()[1] for line in out.splitlines())
    for t in threads:
        t.join()
    assert not errors
    assert len(numbers) == len(set(numbers)) == 90
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, 91))


def test_the_receipt_counter_modules_import_first_in_a_fresh_process() -> None:
    """Whichever of them a process imports first (the printing service did: it went
    kiosk.receipt_no → kiosk.store → drafts → kiosk.receipt_no, half initialised)."""
    for module in ("kiosk.visit.printing", "kiosk.store.receipt_no", "kiosk.store.recovery"):
        command = [sys.executable, "-c", f"import {module}"]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-800:]
