"""A visit through the service layer with the real outbox, completeness check and printer."""

from __future__ import annotations

import io

import pypdf
import pytest

from kiosk import i18n
from kiosk.hardware.printer import PdfFilePrinter
from kiosk.visit.ports import ScannedPage
from kiosk.visit.printing import PrintService
from kiosk.visit.steps import Step
from kiosk.visit.submit import receipt_notice, transfer_statement
from shared_schema import Delivery, SchemaError

from .conftest import STATION, page

ID_NUMBER = "140522200111102011"  # 阳城县


def text_of(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_visit_to_queued_submission_and_receipt(service, store, tmp_path, catalog):
    service.choose_matter("JC-RS-001")
    assert service.flow.step is Step.guide
    service.flow.go(Step.identity)
    assert service.set_identity("冯涛", "140522200111102012") is not None  # bad check digit
    assert service.set_identity("冯涛", ID_NUMBER) is None
    proposal = service.propose_division()
    assert proposal.county.code == "140522"
    township = service.jurisdictions.townships("140522")[0]
    assert service.confirm_division(township.code) is None
    service.flow.go(Step.materials)
    assert not service.add_scan("id_card_front", ScannedPage(ok=False, problems=[("blurry", "照片模糊")]))
    service.add_scan("id_card_front", page(1, id_number=ID_NUMBER, name="冯涛"))
    service.add_scan("id_card_back", page(2))
    service.add_scan("household_register", page(3, id_number=ID_NUMBER))
    service.add_scan("registration_form", page(4, id_number=ID_NUMBER))
    service.flow.go(Step.check)
    result = service.check()
    assert not result.complete
    assert [i.code for i in result.issues] == ["too_few_pages"]  # told everything, once
    correction = PrintService(catalog, service.kiosk, PdfFilePrinter(tmp_path / "prints")).correction(
        service.visit
    )
    assert "户口簿" in text_of(correction.pdf_path.read_bytes())
    service.flow.go(Step.materials)
    service.add_scan("household_register", page(5, id_number=ID_NUMBER))
    service.flow.go(Step.check)
    assert service.check().complete
    service.flow.go(Step.promise)
    assert service.set_contact("12345", Delivery.pickup) is not None
    assert service.set_contact("135 3746 8446", Delivery.mail, "") is not None  # mail needs an address
    assert service.set_contact("13537468446", Delivery.pickup) is None
    service.confirm_promise()
    done = service.finalize()
    assert done.receipt_no.startswith(STATION + "-KAPP1-")
    counts = service.outbox.counts()
    assert counts.waiting == 1
    assert service.outbox.status(done.receipt_no).state == "finalized"
    manifest = store.manifests.read(str(done.manifest.client_uuid))
    assert manifest.applicant.home_division == township.code
    # the slip's "我(单位)" is a blank to fill in: a person promises as 本人
    assert manifest.promise.text.startswith("本人向阳城县人力资源和社会保障局申请办理")
    assert [m.requirement_code for m in manifest.materials] == [
        "id_card_front",
        "id_card_back",
        "household_register",
        "registration_form",
    ]
    assert len(manifest.page_hashes()) == 5 and all(store.pages.has(h) for h in manifest.page_hashes())

    printed = PrintService(catalog, service.kiosk, PdfFilePrinter(tmp_path / "prints")).receipt(
        service.visit, done.receipt_no
    )
    text = text_of(printed.pdf_path.read_bytes())
    for expected in (
        "申请材料接收通知书",
        done.receipt_no,
        "冯涛",
        "城乡居民基本养老保险参保登记",
        "阳城县人力资源和社会保障局",
        "2 日内转报",
        "序号",
        "材料名称",
        "页数",
        "13537468446",
    ):
        assert expected in text, expected
    assert "不代表事项已受理" in text
    # the receipt screen promises the transfer in the printed notice's own words
    notice = receipt_notice(catalog, service.visit, service.kiosk, done.receipt_no)
    was = i18n.language
    try:
        i18n.install("zh_CN")
        on_screen = transfer_statement(notice)
        i18n.install("en")
        in_english = transfer_statement(notice)
    finally:
        i18n.install(was)
    assert "2 日内转报到阳城县人力资源和社会保障局" in on_screen and "转报期限至" in on_screen
    assert "".join(on_screen.split()) in "".join(text.split())
    assert "within 2 days" in in_english and "阳城县人力资源和社会保障局" in in_english
    service.flow.go(Step.receipt)
    service.rate(5)
    with pytest.raises(ValueError):
        service.rate(9)


def test_invalid_manifest_releases_the_reservation(service, store):
    service.choose_matter("JC-RS-001")
    service.visit.applicant.name = "冯涛"
    service.visit.applicant.id_number = ID_NUMBER
    service.visit.applicant.home_division = "140522"
    service.visit.applicant.phone = "not a phone"
    service.add_scan("id_card_front", page(1))
    from shared_schema import CompletenessResult

    service.visit.completeness = CompletenessResult(complete=True)
    service.confirm_promise()
    with pytest.raises(SchemaError):
        service.finalize()
    assert service.outbox.counts().waiting == 0 and service.visit.receipt_no is None


def test_an_incomplete_visit_is_finalized_only_with_a_recorded_reason(service, store):
    service.choose_matter("JC-RS-001")
    assert service.set_identity("冯涛", ID_NUMBER) is None
    assert service.confirm_division("140522") is None
    service.add_scan("id_card_front", page(1, id_number=ID_NUMBER, name="冯涛"))
    assert service.set_contact("13537468446", Delivery.pickup) is None
    with pytest.raises(ValueError):
        service.accept_incomplete("户口簿另行核验", "staff")  # not checked yet
    assert not service.check().complete
    service.confirm_promise()
    with pytest.raises(ValueError, match="incomplete"):
        service.finalize()
    assert service.outbox.counts().waiting == 0
    with pytest.raises(SchemaError):
        service.accept_incomplete("  ", "staff")  # a reason says something
    service.accept_incomplete("户口簿另行核验", "staff")
    done = service.finalize()
    manifest = store.manifests.read(str(done.manifest.client_uuid))
    assert manifest.incomplete_accepted.reason == "户口簿另行核验"
    assert not manifest.completeness.complete and manifest.completeness.issues
