"""``make screenshots``: refresh docs/screenshots/ with every kiosk screen.

Runs the scripted demo visit on the ``virtual`` profile (in a private Xvfb when there is
no display) in a throw-away kiosk home, and copies the screenshots into the docs as
``kiosk-NN-<screen>.png`` (replacing only the kiosk's own).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PREFIX = "kiosk-"


def refresh(script: str = "demo", target: Path = DOCS) -> list[Path]:
    with tempfile.TemporaryDirectory(prefix="tongban-shots-") as tmp:
        home, shots = Path(tmp) / "home", Path(tmp) / "shots"
        out = subprocess.run(
            [sys.executable, "-m", "tongban_cli.main", "kiosk", "--home", str(home), "run",
             "--profile", "virtual", "--script", script, "--screenshots", str(shots), "--json"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        report = json.loads(out.stdout) if out.stdout.strip() else {"ok": False, "error": out.stderr[-2000:]}
        if not report["ok"]:
            raise SystemExit(f"scripted visit failed: {report['error']}")
        target.mkdir(parents=True, exist_ok=True)
        numbers = {_number(Path(p).name) for p in report["screenshots"]}
        for old in target.glob(f"{PREFIX}*.png"):  # only this script's range: the return path's
            if _number(old.name.removeprefix(PREFIX)) <= max(numbers, default=0):  # (31…) stay
                old.unlink()
        return [Path(shutil.copy2(p, target / f"{PREFIX}{Path(p).name}")) for p in report["screenshots"]]


def _number(name: str) -> int:
    """``07-materials.png`` → 7; names without a number sort last."""
    head = name.split("-", 1)[0]
    return int(head) if head.isdigit() else 10**6


def main() -> int:
    for path in refresh():
        sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
