"""A province on several nodes: two ``tongban server run`` processes on one PostgreSQL
database and one blob folder, HAProxy in front (``tongban server balancer-config``).

One module-scoped cluster. What one node learns, the other knows: a workspace session, a
login lockout, a verification rate limit and a kiosk revocation. Then a kiosk (the real
sync process) drains its outbox through the balancer while one node is SIGKILLed
mid-upload: every submission arrives exactly once with byte-identical pages, and the
session logged in before is served by the surviving node.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import requests

from kiosk.store import KioskStore, save_identity
from kiosk.sync.enroll import enroll
from shared_schema.protocol import API_PREFIX, auth_header
from sync_server.cluster import haproxy_config
from sync_server.ratelimit import WINDOW_SECONDS
from sync_server.workspace.verify_code import display, new_code
from tests.support.fault_scenario import Scenario, check_exactly_once, server_count, sync_process
from tests.support.kiosk_factories import STATION, finalize_one
from tests.support.live_server import LiveServer, drop_database, free_port, fresh_database
from tests.support.waiting import STUCK_S, wait_until

HAPROXY = shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if os.path.exists(p)), None)
PASSWORD = "Tongban-multinode-1"
VERIFY_BUDGET = 3
SUBMISSIONS = 12

pytestmark = [pytest.mark.slow]
if not os.environ.get("TONGBAN_TEST_PG"):
    pytestmark.append(pytest.mark.skip(reason="the nodes share PostgreSQL: run through scripts/run_tests.sh"))
elif HAPROXY is None:
    sys.stderr.write("\n!!! haproxy is NOT INSTALLED: the multi-node test is SKIPPED (make system-deps)\n")
    pytestmark.append(pytest.mark.skip(reason="!!! haproxy NOT INSTALLED (make system-deps installs it)"))


@dataclass
class Cluster:
    a: LiveServer
    b: LiveServer
    url: str  # the balancer
    root: Path

    def nodes(self) -> list[str]:
        return [node.url for node in (self.a, self.b)]


def _node(home: Path, db_url: str, blobs: Path, *, initialise: bool) -> LiveServer:
    home.mkdir(parents=True)
    (home / "server.toml").write_text(
        f'BLOB_DIR = "{blobs}"\nPROXY_HOPS = 1\nVERIFY_RATE_PER_MINUTE = {VERIFY_BUDGET}\n', encoding="utf-8"
    )
    return LiveServer(home, db_url, gunicorn=True, workers=1, run_args=("--scan-workers", "0"),
                      initialise=initialise)  # fmt: skip


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("multinode")
    db_url = fresh_database("postgresql", root)
    blobs = root / "a" / "blobs"  # node A's folder is node B's too, as an NFS mount would be
    a = _node(root / "a", db_url, blobs, initialise=True)
    b = _node(root / "b", db_url, blobs, initialise=False)
    port = free_port()
    config = root / "haproxy.cfg"
    config.write_text(haproxy_config([f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"], f"127.0.0.1:{port}",
                                     check_ms=500, max_connections=500), encoding="utf-8")  # fmt: skip
    log = (root / "haproxy.log").open("wb")
    balancer = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    try:
        with ThreadPoolExecutor(2) as pool:  # the nodes start side by side
            list(pool.map(LiveServer.start, (a, b)))
        found = Cluster(a, b, f"http://127.0.0.1:{port}", root)
        wait_until(lambda: _answers(found.url + API_PREFIX + "/health", balancer), "the balancer to answer")
        yield found
    finally:
        os.killpg(balancer.pid, signal.SIGTERM)
        balancer.wait(STUCK_S)
        log.close()
        a.stop(), b.stop()
        drop_database(db_url)


def _answers(url: str, balancer: subprocess.Popen[bytes]) -> bool:
    assert balancer.poll() is None, "haproxy exited: see haproxy.log"
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _staff(cluster: Cluster, username: str) -> None:
    from sync_server.db import get_db
    from sync_server.workspace.accounts import create_user

    with get_db(cluster.a.in_app()).transaction(write=True) as session:
        create_user(session, username, "city_admin", PASSWORD, full_name="省级管理员")


def _login(base: str, username: str, password: str) -> tuple[requests.Session, int]:
    """A browser's login through ``base``: the login form's token, then the POST."""
    browser = requests.Session()
    form = browser.get(f"{base}/workspace/login", timeout=30)
    assert form.status_code == 200
    token = browser.cookies["tongban_ws_login"]
    answer = browser.post(f"{base}/workspace/login", data={"csrf_token": token, "username": username,
                          "password": password}, allow_redirects=False, timeout=30)  # fmt: skip
    return browser, answer.status_code


def _logged_in(browser: requests.Session, base: str) -> bool:
    """The session cookie opens a workspace page on ``base`` (else: redirect to login)."""
    page = requests.get(f"{base}/workspace/", cookies={"tongban_ws": browser.cookies["tongban_ws"]},
                        allow_redirects=False, timeout=30)  # fmt: skip
    return page.status_code == 302 and "/workspace/login" not in page.headers["Location"]


def test_what_one_node_learns_the_other_knows(cluster: Cluster) -> None:
    # A session started through the balancer is honoured by each node on its own.
    _staff(cluster, "prov-admin")
    browser, status = _login(cluster.url, "prov-admin", PASSWORD)
    assert status == 303
    assert all(_logged_in(browser, node) for node in cluster.nodes())

    # Five wrong passwords spread over both nodes lock the account on both.
    _staff(cluster, "prov-guessed")
    for attempt in range(5):
        assert _login(cluster.nodes()[attempt % 2], "prov-guessed", "wrong")[1] == 401
    assert [_login(node, "prov-guessed", PASSWORD)[1] for node in cluster.nodes()] == [401, 401]

    # One verification budget per client address, whichever node answers (the balancer
    # passes the address on; a client's own X-Forwarded-For does not buy a new budget).
    _verify_budget_is_shared(cluster)

    # A revoked kiosk is refused by both nodes once each has seen the revocation.
    code = cluster.a.enrollment_code(STATION)
    enrolled = requests.post(f"{cluster.url}{API_PREFIX}/enroll", json={"code": code, "name": "省"},
                             timeout=30)  # fmt: skip
    kiosk = enrolled.json()
    headers = auth_header(kiosk["kiosk_id"], kiosk["secret"])

    def feed_status(node: str) -> int:
        return requests.get(f"{node}{API_PREFIX}/status-feed", headers=headers, timeout=30).status_code

    assert [feed_status(node) for node in cluster.nodes()] == [200, 200]  # both now cache the check
    cluster.a.revoke(kiosk["kiosk_id"])
    for node in cluster.nodes():
        wait_until(lambda node=node: feed_status(node) == 401, f"{node} to refuse the revoked kiosk")
    assert feed_status(cluster.url) == 401


def _verify_budget_is_shared(cluster: Cluster) -> None:
    code = display(new_code())  # well formed, unknown: 404 within the budget
    targets = [*cluster.nodes(), cluster.url]
    for _ in range(3):  # a run that straddles a window boundary is not evidence: try again
        started = time.time()
        seen = [requests.get(f"{targets[i % 3]}/verify/{code}.json", timeout=30).status_code
                for i in range(VERIFY_BUDGET + 1)]  # fmt: skip
        spoofed = requests.get(f"{cluster.url}/verify/{code}.json", headers={"X-Forwarded-For": "10.9.9.9"},
                               timeout=30).status_code  # fmt: skip
        if int(started // WINDOW_SECONDS) == int(time.time() // WINDOW_SECONDS):
            assert seen == [404] * VERIFY_BUDGET + [429], seen
            assert spoofed == 429
            return
    raise AssertionError("three runs in a row straddled a rate-limit window")


@contextmanager
def _syncing(home: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The kiosk's sync process draining its outbox; SIGKILLed if a check fails first."""
    kiosk = sync_process(home, log)
    try:
        yield kiosk
    finally:
        if kiosk.poll() is None:
            os.killpg(kiosk.pid, signal.SIGKILL)
            kiosk.wait(STUCK_S)


def test_node_killed_mid_upload(cluster: Cluster) -> None:
    """Last in the module: node A stays dead; node B and the balancer carry on."""
    _staff(cluster, "prov-reviewer")
    browser, status = _login(cluster.url, "prov-reviewer", PASSWORD)
    assert status == 303

    home = cluster.root / "kiosk"
    identity = enroll(home, cluster.url, cluster.a.enrollment_code(STATION))
    save_identity(home, replace(identity, server_url=cluster.url))
    rng = random.Random(16)
    with KioskStore(home) as store:
        uuids = [finalize_one(store, seed=16_000 + i, pages=rng.randint(1, 3), page_size=(160, 120))
                 for i in range(SUBMISSIONS)]  # fmt: skip
    log = cluster.root / "kiosk-sync.log"
    with _syncing(home, log) as kiosk:
        wait_until(lambda: server_count(cluster.a) >= 1, "the first submission through the balancer")
        # frozen mid-drain (mid-request, maybe), so that what it has sent is counted before the
        # kill, not after: while node A was being killed the kiosk went on through node B and
        # on a loaded machine had sent all 12 by the time they were counted
        os.killpg(kiosk.pid, signal.SIGSTOP)
        at_kill = server_count(cluster.a)  # (reads the shared database)
        assert 0 < at_kill < SUBMISSIONS, f"the kill would not land mid-drain: {at_kill} of {SUBMISSIONS}"
        cluster.a.kill()  # SIGKILL master and worker of node A, the kiosk's uploads unfinished
        os.killpg(kiosk.pid, signal.SIGCONT)
        assert kiosk.wait(STUCK_S) == 0, log.read_text()[-3000:]
    assert sync_process(home, log).wait(STUCK_S) == 0  # one calm cycle brings every state home
    check_exactly_once(Scenario(server=cluster.a, proxy=None, home=home, uuids=uuids))  # type: ignore[arg-type]
    assert _logged_in(browser, cluster.url)  # only node B is left to serve the session
