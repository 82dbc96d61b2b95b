"""A kiosk restored from an old backup reissues receipt numbers; nothing may be lost (issue 10).

Real kiosk homes against the real sync server: the restored kiosk's submission meets
409 ``receipt_conflict``, takes a number past the server's, and is acknowledged; the
original stays readable, the audit trail and ``status`` tell the change.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.store import KioskStore, Outbox
from kiosk.store.renumber import read_original
from kiosk.store.states import SERVER_STATES
from kiosk.sync.enroll import enroll
from kiosk.sync.service import SyncService
from kiosk.visit.backbone import StoreOutbox
from tests.support.live_server import LiveServer
from tongban_cli.main import cli

from .conftest import FAST, STATION, finalize_one


def _server_receipts(server: LiveServer, kiosk_id: str) -> dict[str, str]:
    rows = server.query(
        "SELECT CAST(client_uuid AS VARCHAR), receipt_no FROM submissions WHERE kiosk_id = :k", k=kiosk_id
    )
    return {str(uuid).replace("-", ""): receipt for uuid, receipt in rows}


def _restored_kiosk(tmp_path: Path, server: LiveServer) -> tuple[Path, str, list[str], list[str]]:
    """A kiosk that sent two submissions, then was restored from a backup taken before them:
    its home, kiosk id, and the two submissions' UUIDs and numbers."""
    home, backup = tmp_path / "kiosk", tmp_path / "backup"
    kiosk_id = enroll(home, server.url, server.enrollment_code(STATION)).kiosk_id
    KioskStore(home).close()
    shutil.copytree(home, backup)  # the backup is taken before the first two visits
    with KioskStore(home) as store:
        first = [finalize_one(store, seed=seed, pages=1) for seed in (401, 402)]
        first_numbers = [Outbox(store).get(u).receipt_no for u in first]
        assert SyncService(store, FAST).run_once().ok
    shutil.rmtree(home)
    shutil.copytree(backup, home)  # the kiosk is restored: its counter is back at zero
    return home, kiosk_id, first, first_numbers


def test_restored_kiosk_renumbers_a_reissued_number_and_loses_nothing(
    tmp_path: Path, server: LiveServer
) -> None:
    home, kiosk_id, first, first_numbers = _restored_kiosk(tmp_path, server)
    with KioskStore(home) as store:
        outbox = Outbox(store)
        uuid = finalize_one(store, seed=403, pages=1)
        issued = outbox.get(uuid).receipt_no
        assert issued == first_numbers[0]  # the restored kiosk handed the same number out again
        report = SyncService(store, FAST).run_once()
        assert report.ok and report.pushed.failed == {}, report.to_dict()
        new = report.pushed.renumbered[uuid]
        assert new == issued[:-4] + "0003"  # past the server's highest that day (0002)

        entry = outbox.get(uuid)
        assert entry.receipt_no == new and entry.state in SERVER_STATES
        assert outbox.manifest(uuid).receipt_no == new
        assert read_original(store, uuid, issued).receipt_no == issued  # the original is kept
        assert outbox.find(issued) == entry  # found by the number on the resident's notice
        assert outbox.renumbered_from(uuid) == [issued]
        shown = StoreOutbox(store, store.identity()).status(issued.lower())  # the status screen
        assert shown is not None and shown.receipt_no == new
        assert shown.message.startswith(f"受理编号已更换为 {new}（原编号 {issued}）")

        on_server = _server_receipts(server, kiosk_id)
        assert on_server[uuid.replace("-", "")] == new
        assert [on_server[u.replace("-", "")] for u in first] == first_numbers  # untouched

        later = finalize_one(store, seed=404, pages=1)
        assert outbox.get(later).receipt_no == issued[:-4] + "0004"  # the counter moved past too
        again = SyncService(store, FAST).run_once()
        assert again.ok and again.pushed.renumbered == {} and later in again.pushed.acknowledged

    result = CliRunner().invoke(cli, ["kiosk", "--home", str(home), "status", issued, "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["receipt_no"] == new and shown["renumbered_from"] == [issued]
    text = CliRunner().invoke(cli, ["kiosk", "--home", str(home), "status", issued]).output
    assert text.strip() == f"{new}: {shown['state']} (renumbered from {issued})"


class PowerCut(Exception):
    """Stands in for the machine dying between the database commit and the manifest write."""


def test_a_cut_between_renumbering_and_the_manifest_write_loses_nothing(
    tmp_path: Path, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, kiosk_id, _first, first_numbers = _restored_kiosk(tmp_path, server)
    with KioskStore(home) as store:
        outbox = Outbox(store)
        uuid = finalize_one(store, seed=405, pages=1)
        issued = outbox.get(uuid).receipt_no
        sealed_before = store.manifests.path(uuid).read_bytes()

        def cut(_manifest: object) -> bytes:
            raise PowerCut("power cut before the manifest was replaced")

        monkeypatch.setattr(store.manifests, "write", cut)
        cut_short = SyncService(store, FAST).run_once()
        assert not cut_short.ok and "PowerCut" in (cut_short.error or "")
        assert store.manifests.path(uuid).read_bytes() == sealed_before  # the old number inside
        assert outbox.get(uuid).receipt_no == issued[:-4] + "0003"  # the database moved on
        monkeypatch.undo()

    with KioskStore(home) as store:  # the restart after the cut
        outbox = Outbox(store)
        report = SyncService(store, FAST).run_once()
        assert report.ok and report.pushed.failed == {}, report.to_dict()
        final = report.pushed.renumbered[uuid]
        assert final == issued[:-4] + "0004"  # past the number the cut left in the counter
        assert outbox.get(uuid).receipt_no == final == outbox.manifest(uuid).receipt_no
        assert outbox.get(uuid).state in SERVER_STATES
        assert _server_receipts(server, kiosk_id)[uuid.replace("-", "")] == final
        assert outbox.renumbered_from(uuid) == [issued]  # 0003 never left the kiosk
        assert outbox.find(issued).client_uuid == uuid
        assert first_numbers[0] == issued
