"""``make demo``: the whole flow on one machine with embedded defaults.

1. a sync server (SQLite, local blob folder, the 晋城市 demo catalog) under gunicorn;
2. workspace accounts for a city admin, reviewers, a department head and the city supervisor;
3. a kiosk on the ``virtual`` hardware profile, enrolled at a village station;
4. a resident's visit: with a display, the kiosk window for you to use; without one,
   a scripted visit on Xvfb that saves a screenshot of every screen and prints the
   receipt notice;
5. one sync, then the server's view: where each submission was routed.

Every step goes through the real ``tongban`` command, as an operator would type it. The
server listens on a free loopback port (``TONGBAN_DEMO_PORT`` to choose one); the kiosk
is enrolled against that address, so the closing message starts the server again there.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.request import urlopen

STATION = "ZZ1305"  # a village service station in 泽州县 (demo catalog)
ACCOUNTS = {  # username: (role, scope option, password, display name) — demo only, printed below
    "admin": ("city_admin", [], "tongban-demo-admin", "赵敏"),
    # the scripted visit's two cases: 阳城县 人社 decides its resident's pension enrolment
    # (home acceptance); 泽州县 医保 decides the other on entrustment, local to the kiosk
    "yc-renshe": ("reviewer", ["--department", "140522-RS"], "tongban-demo-review", "王芳"),
    "zz-yibao": ("reviewer", ["--department", "140525-YB"], "tongban-demo-review", "李强"),
    # 督办 (issue 14): told when a case runs late — the department head, then the city
    "yc-head": (
        "department_head",
        ["--department", "140522-RS", "--phone", "13900000001"],
        "tongban-demo-head",
        "张局长",
    ),
    "city-sup": ("city_supervisor", ["--phone", "13900000002"], "tongban-demo-super", "孙督办"),
}
# The staff assist-mode PIN the demo kiosk gets (the scripted visit unlocks with it, see
# kiosk/scripted/visits.py DEMO_PIN); set with `tongban kiosk set-pin` like a real kiosk's.
ASSIST_PIN = "123456"


def _tongban(*args: str, stdin: str | None = None) -> str:
    exe = Path(sys.executable).with_name("tongban")
    done = subprocess.run(
        [str(exe), *args], input=stdin, capture_output=True, text=True, check=False, timeout=900
    )
    if done.returncode != 0:
        raise SystemExit(f"tongban {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen, report_every: float = 15) -> None:
    """Wait for the real event (the server answers, or its process ends), never a guessed time.

    A loaded machine can take long to start gunicorn; a fixed limit failed the demo there.
    """
    started = last_report = time.monotonic()
    while proc.poll() is None:
        try:
            with urlopen(url + "/api/v1/openapi.json", timeout=5):
                return
        except OSError:
            time.sleep(0.3)
        if time.monotonic() - last_report >= report_every:
            last_report = time.monotonic()
            print(f"    the sync server is still starting ({last_report - started:.0f} s) …", flush=True)
    raise SystemExit("the sync server exited during start-up; see its log in the demo folder")


def _prepare_server(server_home: Path) -> None:
    _tongban("server", "--home", str(server_home), "init-db")
    for user, (role, scope, password, full_name) in ACCOUNTS.items():
        _tongban(
            "server", "--home", str(server_home), "create-user", user, "--role", role,
            *scope, "--full-name", full_name, "--password-stdin", stdin=password + "\n",
        )  # fmt: skip


def _visit(kiosk_home: Path, shots: Path, interactive: bool) -> dict:
    if interactive:
        print("==> the kiosk window is open; close it to continue")
        _tongban("kiosk", "--home", str(kiosk_home), "run", "--profile", "virtual")
        return {}
    print("==> no display: running a scripted visit on Xvfb (takes a minute)")
    out = _tongban(
        "kiosk", "--home", str(kiosk_home), "run", "--profile", "virtual",
        "--script", "demo", "--screenshots", str(shots), "--json",
    )  # fmt: skip
    return json.loads(out)


def _fresh(root: Path) -> None:
    """Start from nothing, and say so when an earlier run's data is removed."""
    if root.exists() and any(root.iterdir()):
        print(f"==> removing the previous demo's data in {root} (server, kiosk, screenshots)")
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it (shorter to copy)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main() -> int:
    root = Path(os.environ.get("TONGBAN_DEMO_HOME", "var/demo")).resolve()
    _fresh(root)
    server_home, kiosk_home, shots = root / "server", root / "kiosk", root / "screenshots"
    print(_tongban("schema", "catalog").splitlines()[0])
    print(f"==> sync server data in {server_home} (SQLite, local blob folder)")
    _prepare_server(server_home)
    port = int(os.environ.get("TONGBAN_DEMO_PORT") or _free_port())
    url = f"http://127.0.0.1:{port}"
    log = (root / "server.log").open("w")
    exe = Path(sys.executable).with_name("tongban")
    server = subprocess.Popen(
        [str(exe), "server", "--home", str(server_home), "run", "--bind", f"127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_until_up(url, server)
        code = json.loads(_tongban("server", "--home", str(server_home), "enroll-kiosk",
                                   "--station", STATION, "--json"))["code"]  # fmt: skip
        _tongban("kiosk", "--home", str(kiosk_home), "enroll", "--server", url, "--code", code)
        _tongban("kiosk", "--home", str(kiosk_home), "set-pin", "--pin-stdin", stdin=ASSIST_PIN + "\n")
        print(f"==> kiosk enrolled at station {STATION} against {url}, data in {kiosk_home}")
        print(f"    staff assist mode (村级代办): PIN {ASSIST_PIN}")
        interactive = bool(os.environ.get("DISPLAY")) and sys.stdin.isatty() and not os.environ.get("CI")
        result = _visit(kiosk_home, shots, interactive)
        _tongban("kiosk", "--home", str(kiosk_home), "sync", "--drain")
        _report(result, server_home, url)
        _supervise(server_home)
        if sys.stdin.isatty() and not os.environ.get("CI"):
            input("==> the server keeps running for the workspace; press Enter to stop it ")
        else:
            print("==> no terminal to wait at, so the server stops now.")
    finally:
        server.terminate()
        server.wait(timeout=30)
    _closing(server_home, kiosk_home, port)
    return 0


def _closing(server_home: Path, kiosk_home: Path, port: int) -> None:
    """The follow-up that works: the kiosk was enrolled against this port, so serve there."""
    exe = _shown(Path(sys.executable).with_name("tongban"))
    print("==> to open the workspace again, start the server on the port the kiosk was enrolled against:")
    print(f"    {exe} server --home {_shown(server_home)} run --bind 127.0.0.1:{port}")
    print(f"    → http://127.0.0.1:{port}/workspace/ ; then, in another terminal, the kiosk syncs with:")
    print(f"    {exe} kiosk --home {_shown(kiosk_home)} sync --once")


def _supervise(server_home: Path) -> None:
    """督办: the pass a timer runs, now and as a drill three weeks on, when nobody has acted."""
    drill = (datetime.now(UTC) + timedelta(days=21)).astimezone(timezone(timedelta(hours=8)))
    for at in (None, drill.replace(hour=9, minute=0, second=0, microsecond=0)):
        extra = ["--at", at.isoformat()] if at else []
        print("==> " + _tongban("server", "--home", str(server_home), "supervise", *extra).strip())
    print("    (the drill's steps: 督办提醒 of yc-renshe, yc-head and city-sup; their SMS in sms_log)")


def _report(result: dict, server_home: Path, url: str) -> None:
    for path in result.get("screenshots", []):
        print(f"    screenshot: {path}")
    for visit in result.get("receipts", []):
        print(f"==> {visit['matter_code']} ({visit['handling_mode']}): receipt {visit['receipt_no']}")
        if visit.get("rejected_message"):
            print(f"    quality gate said: {visit['rejected_message']} (retaken {visit['retakes']}×)")
        for item in visit.get("told_missing", []):
            print(f"    told at once (一次性告知): {item}")
        print(f"    receipt notice (附录 A): {visit['receipt_pdf']}")
        if visit.get("correction_pdf"):
            print(f"    correction notice (补正告知): {visit['correction_pdf']}")
    rows = json.loads(_tongban("server", "--home", str(server_home), "submissions", "--json"))
    print(f"==> the server holds {len(rows)} submission(s):")
    for row in rows:
        print(f"    {row.get('receipt_no')}  →  {row.get('department_code')}  [{row.get('state')}]")
    print(f"==> staff workspace: {url}/workspace/")
    for user, (role, _scope, password, full_name) in ACCOUNTS.items():
        print(f"    log in as {user} / {password}  ({role}, {full_name})")


if __name__ == "__main__":
    raise SystemExit(main())
