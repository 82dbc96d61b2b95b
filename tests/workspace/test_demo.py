"""``make demo`` end to end: what it prints at the close works as printed.

Runs ``python -m tongban_cli.demo`` the way ``make demo`` does without a terminal (the
scripted visit on Xvfb), then types its follow-up: the server command on the port the
kiosk was enrolled against, and ``kiosk sync --once``. Slow (2–3 minutes here).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kiosk.visit.pin import AssistPin
from tests.support.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="the scripted visit needs Xvfb")


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    """Until the server answers; each try is a real request (as tests/support/live_server.py)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server exited with {server.returncode}"
        try:
            if requests.get(url + "/api/v1/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"no answer at {url}")


def printed(out: str, pattern: str) -> str:
    found = re.search(pattern, out, re.MULTILINE)
    assert found, f"{pattern!r} not in the demo's output:\n{out}"
    return found.group(1)


def test_the_demo_closing_follow_up_works_as_printed(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    (root / "left-from-last-time").mkdir(parents=True)
    port = free_port()
    env = {**os.environ, "CI": "1", "TONGBAN_DEMO_HOME": str(root), "TONGBAN_DEMO_PORT": str(port)}
    done = subprocess.run(
        [sys.executable, "-m", "tongban_cli.demo"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == 0, out + done.stderr[-3000:]
    assert f"removing the previous demo's data in {root}" in out
    assert not (root / "left-from-last-time").exists()

    kiosk_home = root / "kiosk"
    pin = printed(out, r"assist mode .*PIN (\d+)$")
    assert AssistPin(kiosk_home, None).check(pin).ok  # the printed PIN opens assist mode
    notice = Path(printed(out, r"correction notice \(补正告知\): (\S+)$"))
    assert notice.is_file() and notice.read_bytes().startswith(b"%PDF")

    serve = shlex.split(printed(out, r"^\s+(\S+ server --home \S+ run --bind 127\.0\.0\.1:\d+)$"))
    sync = shlex.split(printed(out, r"^\s+(\S+ kiosk --home \S+ sync --once)$"))
    assert serve[-1] == f"127.0.0.1:{port}" and "8400" not in out
    server = subprocess.Popen(serve, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                              start_new_session=True)  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{port}", server)
        synced = subprocess.run(sync, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert synced.returncode == 0 and "sync ok" in synced.stdout, synced.stdout + synced.stderr
        login = requests.get(printed(out, r"→ (http://\S+/workspace/)") + "login", timeout=10)
        assert login.status_code == 200 and "登录" in login.text
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
