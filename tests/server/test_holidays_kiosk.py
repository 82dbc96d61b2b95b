"""A kiosk gets the imported holiday table with the catalog and prints the same transfer date.

Real parts end to end: a live sync server (werkzeug thread, its own SQLite database), the
real ``tongban server holidays import`` command in a subprocess, an enrolled kiosk home
syncing over HTTP, and the receipt notice rendered to PDF.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk.store import KioskStore
from kiosk.store.identity import load_identity
from kiosk.sync.catalog import CatalogCache
from kiosk.sync.client import ApiClient
from kiosk.sync.enroll import enroll
from kiosk.sync.service import SyncService
from kiosk.visit.submit import KioskRef, receipt_notice
from kiosk.visit.visit import ApplicantDraft, Visit
from shared_schema.catalog import CATALOG_FORMAT
from shared_schema.holidays import example_table_path
from shared_schema.render.receipt_notice import render_receipt_notice
from tests.kiosk_backbone.conftest import FAST, MATTER, STATION
from tests.support.live_server import LiveServer, serving
from tests.support.previous_release import extract_previous_release

SPRING_FESTIVAL_EVE_EVE = date(2027, 2, 4)  # Thursday; the example table is off 02-05..02-13


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with serving("sqlite", tmp_path) as live:
        yield live


def test_kiosk_counts_the_transfer_with_the_catalog_table(server: LiveServer, tmp_path: Path) -> None:
    home = tmp_path / "kiosk"
    enroll(home, server.url, server.enrollment_code(STATION))
    with KioskStore(home) as store:
        sync = SyncService(store, FAST)
        assert sync.run_once().ok
        assert CatalogCache(home).current().holidays == []

        out = server._cli("holidays", "import", str(example_table_path(2027)))
        assert "holiday table 2027 imported (EXAMPLE data, not official)" in out

        report = sync.run_once()
        assert report.ok and report.catalog_updated
    catalog = CatalogCache(home).current()
    assert [t.year for t in catalog.holidays] == [2027]

    visit = Visit(drafts_root=tmp_path / "drafts", matter=catalog.matter(MATTER))
    visit.applicant = ApplicantDraft(name="王秀英", phone="13800138000", home_division="140502")
    ref = KioskRef("K1", STATION)
    notice = receipt_notice(catalog, visit, ref, "R-1", issued_on=SPRING_FESTIVAL_EVE_EVE)
    assert notice.transfer_by == date(2027, 2, 16)  # Mon-Fri would say 02-08
    without = catalog.model_copy(update={"holidays": []})
    assert receipt_notice(without, visit, ref, "R-1", issued_on=SPRING_FESTIVAL_EVE_EVE).transfer_by == date(
        2027, 2, 8
    )
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(render_receipt_notice(notice))).pages)
    assert "转报期限至2027年2月16日" in text.replace(" ", "").replace("\n", "")


def test_a_kiosk_of_the_previous_release_still_reads_the_catalog(server: LiveServer, tmp_path: Path) -> None:
    """Older kiosks refuse unknown fields: they get the catalog of their format, without holidays.

    The check uses the previous release's own ``shared_schema`` (from git history), so a
    field that older kiosks cannot read would fail here before it reached the field.
    """
    home = tmp_path / "kiosk"
    enroll(home, server.url, server.enrollment_code(STATION))
    server._cli("holidays", "import", str(example_table_path(2027)))
    client = ApiClient(server.url, load_identity(home))
    old_format = client.call("GET", "/catalog")
    assert "holidays" not in old_format.body
    new_format = client.call("GET", "/catalog", params={"format": CATALOG_FORMAT})
    assert [t["year"] for t in new_format.body["holidays"]] == [2027]
    assert old_format.headers["ETag"] != new_format.headers["ETag"]
    again = client.call("GET", "/catalog", headers={"If-None-Match": old_format.headers["ETag"]})
    assert again.status == 304

    old_tree = extract_previous_release(tmp_path / "previous-release")
    parse = "\n".join(
        [
            "import json, sys",
            "from shared_schema import Catalog",
            "Catalog.parse(json.load(sys.stdin))",
            "print('ok')",
        ]
    )
    for body, readable in ((old_format.raw, True), (new_format.raw, False)):
        run = subprocess.run(
            [sys.executable, "-c", parse], cwd=old_tree, input=body, capture_output=True, check=False
        )
        assert (run.stdout.strip() == b"ok") is readable, run.stderr.decode()[-500:]
