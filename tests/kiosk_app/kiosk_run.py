"""Run ``tongban kiosk run --script …`` in a child process (Kivy: one window per process).

The child starts its own Xvfb (DISPLAY is removed) and prints its report as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

TONGBAN = [sys.executable, "-m", "tongban_cli.main"]


def run_kiosk(home: Path, script: str, shots: Path, timeout: int = 150) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env.update(KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_HOME=str(home / "kivy"))
    out = subprocess.run(
        [*TONGBAN, "kiosk", "--home", str(home), "run", "--profile", "virtual",
         "--script", script, "--screenshots", str(shots), "--json"],
        capture_output=True, text=True, timeout=timeout, env=env, check=False,
    )  # fmt: skip
    assert out.stdout, out.stderr[-3000:]
    return json.loads(out.stdout)


def tongban(*args: str, timeout: int = 120, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TONGBAN, *args], input=input, capture_output=True, text=True, timeout=timeout, check=False
    )
