"""An enterprise applicant (单位) on the way back (issue 11): at another station its unified
social credit code, not an ID number, finds its correction notice and prints its electronic
result; at the collecting station the code is checked against the kept application."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kiosk.store import KioskStore, Outbox
from kiosk.sync.client import ApiClient
from kiosk.sync.enroll import enroll
from kiosk.sync.service import SyncService
from kiosk.visit.backbone import StoreOutbox
from kiosk.visit.results import NO_USCC_ZH, NOT_APPLICANT_ZH, ResultDesk
from kiosk.visit.supplement import SupplementRefused
from shared_schema import ApplicantKind, Delivery
from tests.support.live_server import LiveServer

from .conftest import FAST, applicant, finalize_one
from .test_results import complete_on_server
from .test_supplements import OTHER_STATION, ask_correction, desk_for

ENTERPRISE_MATTER = "JC-SC-002"  # open to enterprises and persons, electronic (online) results
COMPANY = {
    "kind": "enterprise",
    "name": "晋城市凤城农产品有限公司",
    "uscc": "9314052201TH3BJ1X1",
    "legal_representative": "朱丽",
    "phone": "13800138000",
    "home_division": "140502",
}
OTHER_USCC = "9114052123N1247RG9"


def results_desk(store: KioskStore, printing) -> ResultDesk:
    ident, outbox = store.identity(), StoreOutbox(store, store.identity())
    client = lambda: ApiClient(ident.server_url, ident, timeout=FAST.timeout)  # noqa: E731
    return ResultDesk(
        store, printing, client, applicant_id=outbox.applicant_id, applicant_uscc=outbox.applicant_uscc
    )


def test_an_enterprise_proves_itself_with_its_credit_code(
    enrolled: KioskStore, service: SyncService, server: LiveServer, tmp_path: Path
) -> None:
    def ours(seed: int, delivery: Delivery) -> str:
        uuid = finalize_one(
            enrolled, seed=seed, pages=2, matter=ENTERPRISE_MATTER, who=COMPANY, delivery=delivery
        )
        return uuid

    asked, electronic, kept = (
        ours(641, Delivery.pickup),
        ours(642, Delivery.electronic),
        ours(643, Delivery.pickup),
    )
    assert service.run_once().ok
    near = Outbox(enrolled)
    asked_no, electronic_no, kept_no = (near.get(u).receipt_no for u in (asked, electronic, kept))
    ask_correction(server, asked_no, ["营业执照副本（加盖公章）"])
    sha = complete_on_server(server, electronic_no, "electronic")
    kept_sha = complete_on_server(server, kept_no, "pickup")
    assert service.run_once().ok  # the pickup result reaches the collecting kiosk

    far = tmp_path / "far"
    enroll(far, server.url, server.enrollment_code(OTHER_STATION))
    with KioskStore(far) as store:
        desk, _paper = desk_for(store, tmp_path)
        refusals = []
        for code, kind in (
            (OTHER_USCC, ApplicantKind.enterprise),
            (applicant(641)["id_number"], ApplicantKind.person),
        ):
            with pytest.raises(SupplementRefused) as refused:
                desk.find(asked_no, code, kind)
            refusals.append((refused.value.code, refused.value.message_zh))
        assert refusals[0] == refusals[1] == ("lookup_refused", "受理编号或证件号码不正确，请核对后再试")
        notice = desk.find(asked_no, COMPANY["uscc"].lower(), ApplicantKind.enterprise)
        assert [i.text for i in notice.items] == ["营业执照副本（加盖公章）"] and notice.lookup_grant

        results = results_desk(store, desk.printer)
        assert (
            results.print_for_resident(electronic_no, None, ApplicantKind.enterprise).message_zh == NO_USCC_ZH
        )
        printed = results.print_for_resident(electronic_no, COMPANY["uscc"], ApplicantKind.enterprise)
        assert printed.ok and printed.outcome is not None
        assert hashlib.sha256(printed.outcome.pdf_path.read_bytes()).hexdigest() == sha

    here = results_desk(enrolled, desk.printer)  # the result kept at the collecting station
    wrong = here.print_for_resident(kept_no, OTHER_USCC, ApplicantKind.enterprise)
    as_person = here.print_for_resident(kept_no, applicant(643)["id_number"])  # 个人 chosen by mistake
    assert (wrong.ok, wrong.message_zh) == (as_person.ok, as_person.message_zh) == (False, NOT_APPLICANT_ZH)
    right = here.print_for_resident(kept_no, " " + COMPANY["uscc"].lower(), ApplicantKind.enterprise)
    assert right.ok and hashlib.sha256(right.outcome.pdf_path.read_bytes()).hexdigest() == kept_sha
