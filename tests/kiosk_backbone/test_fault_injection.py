"""Issue 4's proof: exactly once, through a hostile network and two kinds of crash.

See :mod:`tests.support.fault_scenario`: a chaos proxy between kiosk and the real server
(gunicorn, 2 workers); the server SIGKILLed mid-upload and restarted; the kiosk's sync
process SIGKILLed mid-sync and restarted — twice each. Afterwards the server holds exactly
the kiosk's submissions, once each, byte-identical pages, every one routed. Then the way
back (issue 11) under the same faults, one kill of each kind: handovers, supplements and
electronic results each arrive once (:mod:`tests.support.return_faults`).

``TONGBAN_FAULT_COUNT`` sets the number of submissions (default 60 keeps each backend
around a minute on 2 cores); ``bench/sync.py`` runs the same scenario with 500.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.fault_scenario import check_exactly_once, prepare, run_with_faults
from tests.support.live_server import drop_database
from tests.support.return_faults import check_return_once, return_round

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
        # then the way back for some of them, under the same faults: 送达, 补正, 办理结果
        handed, supplemented, fetched = min(20, COUNT // 3), min(8, COUNT // 3), min(8, COUNT // 3)
        cases = return_round(sc, tmp_path / "kiosk-sync.log", handed, supplemented, fetched)
        check_return_once(sc, cases)
    finally:
        sc.proxy.stop()
        sc.server.stop()
        drop_database(sc.server.db_url)
