"""Issue 4's proof: exactly once, through a hostile network and two kinds of crash.

See :mod:`tests.support.fault_scenario`: a chaos proxy between kiosk and the real server
(gunicorn, 2 workers); the server SIGKILLed mid-upload and restarted; the kiosk's sync
process SIGKILLed mid-sync and restarted — twice each. Afterwards the server holds exactly
the kiosk's submissions, once each, byte-identical pages, every one routed.

``TONGBAN_FAULT_COUNT`` sets the number of submissions (default 60 keeps each backend
around a minute on 2 cores); ``bench/sync.py`` runs the same scenario with 500.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.fault_scenario import (
    check_exactly_once,
    check_handovers_once,
    handover_round,
    prepare,
    run_with_faults,
)
from tests.support.live_server import drop_database

from .conftest import backends

COUNT = int(os.environ.get("TONGBAN_FAULT_COUNT", "60"))


@pytest.mark.slow
@pytest.mark.parametrize("backend", backends())
def test_exactly_once_through_chaos_and_kills(tmp_path: Path, backend: str) -> None:
    sc = prepare(tmp_path, backend, COUNT)
    try:
        kills = run_with_faults(sc, tmp_path / "kiosk-sync.log")
        check_exactly_once(sc)
        stats = sc.proxy.stats
        assert (kills["server"], kills["kiosk"]) == (2, 2)
        assert stats.resets + stats.truncations + stats.drops >= 5, stats
        handed = min(20, COUNT)  # then 送达 of some of them, under the same faults
        handover_round(sc, tmp_path / "kiosk-sync.log", handed)
        check_handovers_once(sc, handed)
    finally:
        sc.proxy.stop()
        sc.server.stop()
        drop_database(sc.server.db_url)
