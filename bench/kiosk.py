"""Kiosk app: launch to interactive Home, screen-to-screen transitions, memory.

Targets (issue 5): launch ≤ 3 s, transition ≤ 150 ms, memory ≤ 300 MB. Each run is a fresh
process on a private Xvfb (``tongban kiosk run --script``), as a kiosk boots. Launch is
measured from the process's start to the first frame of Home (Python, imports, kiosk
home and catalog, window); transitions from a tap to the next screen built and drawn;
RSS at Home and after the warm-up; the process tree (app + scan worker) at its peak
during the scripted demo visit and settled at its end.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

LAUNCHES = 3


def _run(script: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="tongban-bench-kiosk-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
        out = subprocess.run(
            [sys.executable, "-m", "tongban_cli.main", "kiosk", "--home", str(Path(tmp) / "home"), "run",
             "--profile", "virtual", "--script", script, "--json"],
            capture_output=True, text=True, env=env, check=False, timeout=900,
        )  # fmt: skip
        return json.loads(out.stdout) if out.stdout.strip() else {"ok": False, "error": out.stderr[-500:]}


def _row(name: str, value: str, target: str = "") -> str:
    return f"| {name} | {value} | {target} |"


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _launch_rows(launches: list[dict]) -> list[str]:
    ok = [r for r in launches if r.get("ok")]
    if not ok:
        return [_row("launch", f"failed: {launches[0].get('error', '')[:120]}")]
    launch, home, warm = (_median(ok, k) for k in ("launch_to_home_ms", "rss_home_mb", "rss_warm_mb"))
    return [
        _row(f"launch to Home, from process start (median of {len(ok)})", f"{launch:.0f} ms", "≤ 3000 ms"),
        _row("RSS at Home", f"{home:.0f} MB", "≤ 300 MB"),
        _row("RSS of the app after the warm-up (Pillow, screen modules)", f"{warm:.0f} MB", "≤ 300 MB"),
    ]


def _demo_rows(demo: dict) -> list[str]:
    if not demo.get("ok"):
        return [_row("scripted demo visit", f"failed: {demo.get('error', '')[:120]}")]
    drawn, built = demo["transitions_ms"], demo["builds_ms"]
    rows = [
        _row(f"transition {name}: built / drawn", f"{built[name]:.0f} / {drawn[name]:.0f} ms", "≤ 150 ms")
        for name in sorted(drawn)
    ]
    worst, median = max(drawn.values(), default=0), statistics.median(drawn.values() or [0])
    frame, peak, settled = demo["frame_ms"], demo["tree_peak_mb"], demo["tree_settled_mb"]
    return [
        *rows,
        _row("transitions drawn: median / slowest", f"{median:.0f} / {worst:.0f} ms", "≤ 150 ms"),
        _row("one redraw at rest (Xvfb + llvmpipe: the floor under each transition)", f"{frame:.0f} ms"),
        _row(
            "kiosk after the two-matter demo visit, settled (scan worker stopped): RSS / PSS",
            f"{settled['rss']:.0f} / {settled['pss']:.0f} MB",
            "≤ 300 MB",
        ),
        _row(
            f"kiosk at its peak during the visit, app + scan worker (RapidOCR): RSS / PSS "
            f"({demo['scan_workers']} workers started)",
            f"{peak['rss']:.0f} / {peak['pss']:.0f} MB",
            "app ≤ 300 MB; worker: issue 3's ≤ 600 MB",
        ),
        _row("the app's own RSS at that peak", f"{peak.get('app_rss', 0):.0f} MB", "≤ 300 MB"),
    ]


NOTE = """
Memory is the whole kiosk process tree: the app and its children (the OCR pipeline runs
in a scan worker started at the identity step and stopped at Home or after 90 s idle; PDFs
are rendered in a child per print), sampled every 0.1 s; the script's Xvfb is not counted.
RSS counts shared libraries once per process, PSS splits them: the sum of PSS is what the
kiosk occupies. How the targets are read: the kiosk app itself stays within issue 5's
300 MB at every moment (at Home, settled after a visit, and at the scan peak); the scan
worker exists only while a resident is scanning, and its OCR of one capture has its own
budget in issue 3 (≤ 600 MB for a 12 MP capture; see the scan section), so the tree's
peak is the two added.
Built: the tap handled and the next screen's widgets made; drawn: plus one frame (layout,
text textures, software OpenGL, buffer swap). Launch counts from the process's start
(Python, imports, kiosk home, catalog, window) to Home's first frame.
"""


def run() -> str:
    launches = [_run("launch") for _ in range(LAUNCHES)]
    lines = ["## Kiosk app", "", "| measure | value | target |", "|---|---|---|"]
    lines += _launch_rows(launches) + _demo_rows(_run("demo"))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines.append(_row("load average at the end (1, 5, 15 min; other work shares the CPUs)", load))
    return "\n".join(lines) + "\n" + NOTE
