"""Enterprise applicants (credit code, legal representative) and the staff PIN command."""

from __future__ import annotations

from kiosk.visit.pin import AssistPin
from kiosk.visit.steps import Step
from kiosk.visit.submit import applicant_body
from shared_schema import Applicant, ApplicantKind
from tests.kiosk_app.kiosk_run import tongban

from .conftest import page

USCC = "91140522MA0K1234XR"  # registered in 阳城县 (140522); check character valid


def test_enterprise_applies_for_a_matter_open_to_enterprises(service):
    service.choose_matter("JC-SC-002")  # 食品经营许可: enterprises and persons
    service.flow.go(Step.identity)
    assert service.accepts_enterprises()
    assert service.set_enterprise("晋城市好味餐饮有限公司", USCC[:-1] + "0", "王建国") is not None
    assert service.set_enterprise("", USCC, "王建国") is not None
    assert service.set_enterprise("晋城市好味餐饮有限公司", USCC, "") is not None
    assert service.set_enterprise("晋城市好味餐饮有限公司", USCC.lower(), "王建国") is None
    applicant = service.visit.applicant
    assert (applicant.kind, applicant.uscc, applicant.id_number) == (ApplicantKind.enterprise, USCC, "")
    assert service.propose_division().county.code == "140522"  # from the credit code
    applicant.home_division, applicant.phone = "140522", "13800138000"
    assert service.identity_done()
    parsed = Applicant.model_validate(applicant_body(service.visit))
    assert parsed.legal_representative == "王建国" and parsed.uscc == USCC


def test_scanned_licence_fills_the_credit_code(service):
    service.choose_matter("JC-SC-002")
    assert service.use_scanned_licence(page(1), "王建国") is not None  # nothing read
    assert service.use_scanned_licence(page(2, uscc=USCC, name="晋城市好味餐饮有限公司"), "王建国") is None
    assert service.visit.applicant.source == "scan"


def test_person_only_matter_offers_no_enterprise(service):
    service.choose_matter("JC-RS-001")
    assert not service.accepts_enterprises()


def test_set_pin_command(tmp_path):
    home = tmp_path / "kiosk"
    done = tongban("kiosk", "--home", str(home), "set-pin", "--pin-stdin", input="24681357\n")
    assert done.returncode == 0, done.stderr
    assert (home / "assist.json").stat().st_mode & 0o777 == 0o600
    assert "24681357" not in (home / "assist.json").read_text()
    pin = AssistPin(home, profile_hash=None)
    assert not pin.check("123456").ok
    assert pin.check("24681357").ok
    bad = tongban("kiosk", "--home", str(home), "set-pin", "--pin-stdin", input="12a4\n")
    assert bad.returncode != 0 and "4 to 12 digits" in bad.stderr + bad.stdout
