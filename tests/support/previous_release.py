"""A kiosk home as the last release without database migrations left it in the field.

The release's own code makes the home: its source (commit ``PREVIOUS_RELEASE``) is
extracted with ``git archive`` into a temporary folder and :data:`OLD_KIOSK_SCRIPT` runs
there in a subprocess, so nothing of today's code is involved. The old kiosk enrolls at
a real server, sends one submission, then queues more submissions and an evaluation and
leaves a draft with an applicant in it (the old release sealed drafts in the database),
and stops without sending: the state a kiosk is in when a technician upgrades it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

# The last commit whose kiosk database was made by create_all (no alembic_version).
PREVIOUS_RELEASE = "5d3a32888351293e162dfb9fe106b907bcc268af"
REPO = Path(__file__).resolve().parents[2]
OLD_TREE_PATHS = ["kiosk", "shared_schema", "tongban_cli", "hardware_profiles", "tests"]

OLD_KIOSK_SCRIPT = r"""
import json, sys
from pathlib import Path
import kiosk
assert Path(kiosk.__file__).resolve().is_relative_to(Path.cwd().resolve()), kiosk.__file__
from kiosk.store import Drafts, KioskStore, Outbox
from kiosk.store.evaluations import Evaluations
from kiosk.sync.enroll import enroll
from kiosk.sync.service import SyncService, SyncSettings
from tests.support.kiosk_factories import STATION, applicant, finalize_one

home, url, code, queued = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
enroll(home, url, code)
with KioskStore(home) as store:
    sent = finalize_one(store, seed=901, pages=2)
    report = SyncService(store, SyncSettings(request_tries=3, timeout=(3.0, 10.0))).run_once()
    assert report.pushed.acknowledged == [sent], report.error
    waiting = [finalize_one(store, seed=910 + i, pages=1 + i) for i in range(queued)]
    evaluation = Evaluations(store).queue(4, station_code=STATION, comment="升级前的评价")
    draft = Drafts(store).create("JC-RS-001", "2024.06.01")  # a visit cut off by the upgrade
    Drafts(store).update(draft.client_uuid, applicant=applicant(999))
    states = {e.client_uuid: e.state.value for e in Outbox(store).entries()}
print(json.dumps({"sent": sent, "waiting": waiting, "evaluation": str(evaluation.evaluation_uuid),
                  "draft": draft.client_uuid, "states": states, "sync_error": report.error}))
"""


def extract_previous_release(target: Path) -> Path:
    """The previous release's source tree, from this repository's history."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", PREVIOUS_RELEASE, *OLD_TREE_PATHS],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def make_old_home(old_tree: Path, home: Path, server_url: str, code: str, queued: int = 2) -> dict:
    """Run the old kiosk in a subprocess; returns what it sent and what it left queued."""
    done = subprocess.run(
        [sys.executable, "-c", OLD_KIOSK_SCRIPT, str(home), server_url, code, str(queued)],
        cwd=old_tree,
        env={"PATH": "/usr/bin:/bin", "HOME": str(home.parent), "PYTHONPATH": str(old_tree)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the previous release failed to make a kiosk home:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])
