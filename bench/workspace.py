"""Department workspace: inbox, review and dashboard pages over 100,000 submissions in PostgreSQL.

Targets: median server time per page ≤ 150 ms (issue 6), ≤ 300 ms per dashboard page
(issue 14: 督办看板, the city supervisor's whole-city view and a department's own).
Server time is measured around the WSGI call (Flask's test client in this process:
routing, session check, queries, audit write, template), so network and browser time
are not in it. The data set is built once with COPY (``bench/_workspace_data.py``) and
reused while it matches. Set ``TONGBAN_BENCH_WORKSPACE_ROWS`` to try another size.

A baseline measured in the same run (e.g. ``python -c "from bench import workspace;
print(workspace.run())"`` in a git worktree of an older commit, its output saved to a file)
is shown beside each page when ``TONGBAN_BENCH_WORKSPACE_BASELINE`` names that file: the
machine is shared and loaded, so only numbers taken together compare.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SAMPLES = 25
TARGET_MS = 150.0
DASHBOARD_TARGET_MS = 300.0
DASHBOARD_PERIOD = "from=2025-01-01&to=2026-12-31"  # the data set's two years: every row counted


def _timed(
    call: Callable[[], object], n: int = SAMPLES, before: Callable[[], object] = lambda: None
) -> list[float]:
    call()  # warm caches and the connection pool
    out = []
    for _ in range(n):
        before()
        started = time.perf_counter()
        response = call()
        out.append((time.perf_counter() - started) * 1000)
        assert getattr(response, "status_code", 200) == 200, response
    return out


def _row(label: str, times: list[float], target: float, baseline: dict[str, str]) -> str:
    median = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    verdict = "✓" if median <= target else "✗"
    before = baseline.get(label, "—")
    return f"| {label} | {median:.1f} ms | {p95:.1f} ms | {before} | ≤ {target:.0f} ms {verdict} |"


def _baseline() -> tuple[str, dict[str, str]]:
    """The baseline run's medians by page label, and its caption line (see module doc)."""
    path = os.environ.get("TONGBAN_BENCH_WORKSPACE_BASELINE")
    if not path:
        return "", {}
    text = Path(path).read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([^|]+?) \| ([0-9.]+ ms) \|", text, flags=re.M)
    note = re.search(r"^Baseline: .*$", text, flags=re.M)
    return (note.group(0) if note else f"Baseline: {path}"), dict(rows)


def _login(app, username: str, password: str):  # type: ignore[no-untyped-def]
    http = app.test_client()
    page = http.get("/workspace/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = http.post(
        "/workspace/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert answer.status_code == 303, answer.status_code
    return http


def _forget_charts() -> None:
    """Empty the per-process chart cache (``dashboard_charts``), where the code has one: the
    'charts drawn' row times a page whose figures changed since it was last drawn."""
    from sync_server.workspace import dashboard_charts

    for drawn in (getattr(dashboard_charts, "_bars", None), getattr(dashboard_charts, "_stacked", None)):
        if drawn is not None and hasattr(drawn, "cache_clear"):
            drawn.cache_clear()


def _dashboard(app, password: str, who: str, username: str) -> list[tuple[str, list[float]]]:  # type: ignore[no-untyped-def]
    """The dashboard's pages, the volumes page with its charts drawn anew, and drill-downs
    (clock outcomes counted by day pairs, a volume, a rating)."""
    http = _login(app, username, password)
    base = "/workspace/dashboard"
    volumes = f"{base}?{DASHBOARD_PERIOD}"
    drawn = _timed(lambda: http.get(volumes), before=_forget_charts)
    pages = [
        ("volumes", f"{base}?{DASHBOARD_PERIOD}"),
        ("deadlines", f"{base}/deadlines?{DASHBOARD_PERIOD}"),
        ("satisfaction", f"{base}/satisfaction?{DASHBOARD_PERIOD}"),
        (
            "drill-down: notice on time",
            f"{base}/cases?{DASHBOARD_PERIOD}&fig=clock&clock=notice&outcome=on_time",
        ),
        ("drill-down: channel", f"{base}/cases?{DASHBOARD_PERIOD}&fig=volume&dim=channel&key=bundle"),
        (
            "drill-down: delivery overdue",
            f"{base}/cases?{DASHBOARD_PERIOD}&fig=clock&clock=delivery&outcome=overdue",
        ),
        (
            "drill-down: collection rated 1",
            f"{base}/cases?{DASHBOARD_PERIOD}&fig=rating&stage=collect&score=1",
        ),
    ]
    timed = [(label, _timed(lambda p=path: http.get(p))) for label, path in pages]
    return [
        (f"dashboard ({who}), {label}", times) for label, times in [*timed, ("volumes, charts drawn", drawn)]
    ]


def run() -> str:
    from sqlalchemy import func, select

    from bench._workspace_data import CITY_USER, DEPARTMENT, PASSWORD, ensure_database
    from sync_server.app import create_app
    from sync_server.db import get_db
    from sync_server.models import Submission

    rows = int(os.environ.get("TONGBAN_BENCH_WORKSPACE_ROWS", "100000"))
    load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    base = os.environ.get("TONGBAN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    built = time.perf_counter()
    url = ensure_database(base, rows)
    build_s = time.perf_counter() - built
    with tempfile.TemporaryDirectory(prefix="tongban-bench-ws-") as home:
        app = create_app({"HOME": home, "DATABASE_URL": url})
        with get_db(app).transaction() as session:
            total = session.scalar(select(func.count()).select_from(Submission))
            mine = session.scalar(select(func.count()).where(Submission.department_code == DEPARTMENT))
            ids = list(session.scalars(select(Submission.id).where(Submission.department_code == DEPARTMENT)))
            number = session.scalar(select(Submission.applicant_id_number).where(Submission.id == ids[0]))
        http = app.test_client()
        page = http.get("/workspace/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert (
            http.post(
                "/workspace/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token}
            ).status_code
            == 303
        )
        inbox = http.get("/workspace/inbox").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', inbox).group(1)
        cursor = re.search(r"after=([0-9_]+)", inbox).group(1)
        deep, pages = cursor, 1
        while pages < 20:  # walk pages in: keyset pages cost the same as the first
            html = http.get(f"/workspace/inbox?after={deep}").get_data(as_text=True)
            found = re.search(r"after=([0-9_]+)", html)
            if not found:
                break
            deep, pages = found.group(1), pages + 1
        rng = random.Random(7)
        results = [
            ("inbox, first page (open cases)", _timed(lambda: http.get("/workspace/inbox"))),
            (
                f"inbox, page {pages + 1} (keyset cursor)",
                _timed(lambda: http.get(f"/workspace/inbox?after={deep}")),
            ),
            ("inbox, all states", _timed(lambda: http.get("/workspace/inbox?state=all"))),
            (
                "inbox, filter accepted + date range",
                _timed(lambda: http.get("/workspace/inbox?state=accepted&from=2025-06-01&to=2026-12-31")),
            ),
            ("inbox, overdue filter", _timed(lambda: http.get("/workspace/inbox?due=overdue"))),
            (
                "search by ID number (POST, digest)",
                _timed(lambda: http.post("/workspace/search", data={"q": number, "csrf_token": csrf})),
            ),
            (
                "review page (random case)",
                _timed(lambda: http.get(f"/workspace/submissions/{rng.choice(ids)}")),
            ),
        ]
        dashboard = _dashboard(app, PASSWORD, "city", CITY_USER) + _dashboard(
            app, PASSWORD, "department", "bench"
        )
        get_db(app).dispose()
    load_after = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    baseline_note, baseline = _baseline()
    lines = [
        "## Department workspace (PostgreSQL)",
        "",
        f"{total:,} submissions ({mine:,} in the reviewer's department {DEPARTMENT}); data set built in "
        f"{build_s:.0f} s (0 when reused). Server time per request over {SAMPLES} requests, in-process "
        "WSGI (session check, queries, audit-log write and template included). Load average "
        f"(1, 5, 15 min) at the start {load_before}, at the end {load_after} (2 cores, shared).",
        *([f"{baseline_note}", ""] if baseline_note else [""]),
        "| page | median | p95 | baseline median | target |",
        "|---|---|---|---|---|",
        *(_row(label, times, TARGET_MS, baseline) for label, times in results),
        *(_row(label, times, DASHBOARD_TARGET_MS, baseline) for label, times in dashboard),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
