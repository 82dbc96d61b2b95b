"""Kiosk app: launch to interactive Home, screen-to-screen transitions, memory.

Targets (issue 5): launch ≤ 3 s, transition ≤ 150 ms, RSS ≤ 300 MB. Each run is a fresh
process on a private Xvfb (``tongban kiosk run --script``), as a kiosk boots. Launch is
measured from the start of the ``run`` command to the first frame of Home (imports,
kiosk home and catalog, window); transitions from a tap to the next screen built and
drawn; RSS at the end of the scripted demo visit (scan pipeline and OCR loaded).
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


def run() -> str:
    launches = [_run("launch") for _ in range(LAUNCHES)]
    ok = [r for r in launches if r.get("ok")]
    lines = ["## Kiosk app", "", "| measure | value | target |", "|---|---|---|"]
    if ok:
        launch = statistics.median(r["launch_to_home_ms"] for r in ok)
        lines.append(f"| launch to interactive Home (median of {len(ok)}) | {launch:.0f} ms | ≤ 3000 ms |")
        lines.append(f"| RSS at Home | {statistics.median(r['rss_mb'] for r in ok):.0f} MB | ≤ 300 MB |")
    demo = _run("demo")
    if demo.get("ok"):
        times = demo["transitions_ms"]
        for name, ms in sorted(times.items()):
            lines.append(f"| transition {name} | {ms:.0f} ms | ≤ 150 ms |")
        worst = max(times.values()) if times else 0
        lines.append(f"| slowest transition | {worst:.0f} ms | ≤ 150 ms |")
        lines.append(f"| RSS after the demo visit (OCR loaded) | {demo['rss_mb']:.0f} MB | ≤ 300 MB |")
    else:
        lines.append(f"| scripted demo visit | failed: {demo.get('error', '')[:120]} | |")
    return "\n".join(lines) + "\n"
