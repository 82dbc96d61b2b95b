"""Server start: ``create_app`` with URL builders shared across apps vs werkzeug compiling them.

Every server test builds an app (twice with PostgreSQL), and so does every gunicorn worker
and command. The baseline is the same factory with werkzeug's own ``Rule`` (each app
compiles its ~110 rules' URL builders anew); ours is ``CachedBuilderRule``
(``sync_server/url_rules.py``). Both are timed alternately in this one run, after one
warm-up app each, so the machine's load weighs on both alike.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.routing import Rule

ROUNDS = 30


@contextmanager
def _werkzeug_rules() -> Iterator[None]:
    """The baseline: the app class with werkzeug's plain rule (compiles every builder)."""
    from sync_server.url_rules import TongbanFlask

    ours = TongbanFlask.url_rule_class
    TongbanFlask.url_rule_class = Rule
    try:
        yield
    finally:
        TongbanFlask.url_rule_class = ours


def _one(home: Path) -> float:
    from sync_server.app import create_app
    from sync_server.db import get_db

    started = time.perf_counter()
    app = create_app({"HOME": str(home), "DATABASE_URL": f"sqlite:///{home / 'server.db'}", "TESTING": True})
    took = (time.perf_counter() - started) * 1000
    get_db(app).dispose()
    return took


def run() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    plain: list[float] = []
    shared: list[float] = []
    with tempfile.TemporaryDirectory(prefix="tongban-bench-start-") as tmp:
        home = Path(tmp)
        _one(home)  # imports and the shared builders
        with _werkzeug_rules():
            _one(home)
        for _ in range(ROUNDS):
            with _werkzeug_rules():
                plain.append(_one(home))
            shared.append(_one(home))
    before, after = statistics.median(plain), statistics.median(shared)
    return "\n".join([
        "## Server start (`create_app`)",
        "",
        f"Median of {ROUNDS} apps each, built alternately in one run (SQLite, nothing connects); "
        f"load average at the start: {load} on 2 cores.",
        "",
        "| URL rules | median ms / app | min ms |",
        "|---|---|---|",
        f"| werkzeug `Rule` (baseline: builders compiled per app) | {before:.0f} | {min(plain):.0f} |",
        f"| `CachedBuilderRule` (builders compiled once per process) | {after:.0f} | {min(shared):.0f} |",
        "",
        f"Saved per app: {before - after:.0f} ms ({before / after:.1f}× faster); the test suite builds "
        "one app per server, workspace and online test and backend.",
    ])  # fmt: skip


if __name__ == "__main__":
    print(run())
