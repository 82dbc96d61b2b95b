"""The visit's plain-Python services, without Kivy: search, flow, idle wipe, PIN, places."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.visit.checklist import checklist, questions
from kiosk.visit.flow import StepNotAllowed, VisitFlow
from kiosk.visit.jurisdiction import Jurisdictions
from kiosk.visit.pin import AssistPin, hash_pin
from kiosk.visit.search import CatalogSearch, initials
from kiosk.visit.steps import Step
from shared_schema import FrequencyTier


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_pinyin_initials_find_pension(catalog):
    search = CatalogSearch(catalog)
    assert initials("养老保险") == "ylbx"
    hits = search.search("ylbx")
    assert hits, "ylbx found nothing"
    assert "养老保险" in hits[0].matter.name
    assert hits[0].matter.frequency is FrequencyTier.high


@pytest.mark.parametrize("query", ["养老", "yanglao", "YLBX", " y l b x "])
def test_search_by_hanzi_full_pinyin_and_case(catalog, query):
    names = [hit.matter.name for hit in CatalogSearch(catalog).search(query)]
    assert any("养老" in name for name in names)


def test_search_nothing_and_high_frequency_first(catalog):
    search = CatalogSearch(catalog)
    assert search.search("zzzzqqq") == []
    listed = search.search("")
    tiers = [hit.matter.frequency for hit in listed]
    assert tiers == sorted(tiers, key=[FrequencyTier.high, FrequencyTier.medium, FrequencyTier.low].index)
    assert all(m.frequency is FrequencyTier.high for m in search.frequent())


def test_browse_by_domain(catalog):
    search = CatalogSearch(catalog)
    domains = search.domains()
    assert "医保" in domains and "社保" in domains
    assert all(m.domain == "医保" for m in search.in_domain("医保"))


def _flow(tmp_path: Path, clock: FakeClock | None = None) -> VisitFlow:
    return VisitFlow(tmp_path / "drafts", idle_timeout_s=60, clock=clock or FakeClock())


def test_flow_allows_only_legal_moves(tmp_path, catalog):
    flow = _flow(tmp_path)
    seen = []
    flow.subscribe(lambda before, after: seen.append((before, after)))
    with pytest.raises(StepNotAllowed):
        flow.go(Step.materials)  # cannot skip guide and identity
    flow.visit.matter = catalog.matter("JC-RS-001")
    flow.go(Step.guide)
    flow.go(Step.identity)
    flow.go(Step.materials)
    with pytest.raises(StepNotAllowed):
        flow.go(Step.promise)  # the check cannot be skipped
    flow.go(Step.check)
    flow.go(Step.promise)
    with pytest.raises(StepNotAllowed):
        flow.go(Step.receipt)  # no receipt before the submission is finalized
    flow.back()
    assert flow.step is Step.check
    assert seen[0] == (Step.home, Step.guide)


def test_assist_from_any_step_returns_there(tmp_path, catalog):
    flow = _flow(tmp_path)
    flow.visit.matter = catalog.matter("JC-RS-001")
    flow.go(Step.guide)
    flow.go(Step.identity)
    flow.go(Step.assist)
    flow.back()
    assert flow.step is Step.identity
    assert flow.visit.matter is not None  # the visit continues, not wiped


def test_back_from_the_supplement_returns_to_the_progress_screen(tmp_path):
    flow = _flow(tmp_path)
    flow.go(Step.status_pickup)
    flow.go(Step.supplement)
    flow.back()  # where the resident came from, not Home
    assert flow.step is Step.status_pickup
    flow.back()
    assert flow.step is Step.home


def test_home_wipes_draft_pages(tmp_path, catalog):
    flow = _flow(tmp_path)
    flow.visit.matter = catalog.matter("JC-RS-001")
    flow.go(Step.guide)
    page = flow.visit.add_page(
        "id_card_front", b"\xff\xd8fake", ".jpg", content_type="image/jpeg", width=1, height=1, ok=True
    )
    flow.visit.applicant.name = "张三"
    assert page.path.exists()
    flow.home()
    assert not page.path.exists()
    assert flow.visit.applicant.name == "" and flow.visit.matter is None
    assert flow.step is Step.home


def test_idle_timeout_wipes_memory_and_disk(tmp_path, catalog):
    clock = FakeClock()
    flow = _flow(tmp_path, clock)
    flow.visit.matter = catalog.matter("JC-RS-001")
    flow.go(Step.guide)
    flow.go(Step.identity)
    flow.visit.applicant.id_number = "140502199001011234"
    page = flow.visit.add_page(
        "id_card_front", b"data", ".jpg", content_type="image/jpeg", width=1, height=1, ok=True
    )
    clock.now += 59
    assert flow.check_idle() is False
    flow.touch()
    clock.now += 59
    assert flow.check_idle() is False  # the touch restarted the countdown
    clock.now += 2
    assert flow.check_idle() is True
    assert flow.step is Step.home
    assert flow.visit.applicant.id_number == ""
    assert not page.path.exists() and not page.path.parent.exists()


def test_leftover_drafts_purged_on_start(tmp_path):
    left = tmp_path / "drafts" / "deadbeef"
    left.mkdir(parents=True)
    (left / "page.jpg").write_bytes(b"x")
    _flow(tmp_path)
    assert not left.exists()


def test_pin_checks_and_locks_out(tmp_path):
    clock = FakeClock()
    pin = AssistPin(tmp_path, hash_pin("2468"), max_failures=3, lockout_s=60, clock=clock)
    assert pin.check("2468").ok
    assert pin.check("0000").attempts_left == 2
    assert pin.check("1111").attempts_left == 1
    locked = pin.check("2222")
    assert not locked.ok and locked.locked_for_s == 60
    assert not pin.check("2468").ok, "the right PIN must not open a locked kiosk"
    # the lockout survives a restart (state on disk)
    again = AssistPin(tmp_path, hash_pin("2468"), max_failures=3, lockout_s=60, clock=clock)
    assert again.check("2468").locked_for_s > 0
    clock.now += 61
    assert again.check("2468").ok


def test_kiosk_pin_overrides_profile(tmp_path):
    pin = AssistPin(tmp_path, hash_pin("2468"))
    pin.set_pin("13579")
    assert pin.check("13579").ok
    assert not pin.check("2468").ok
    with pytest.raises(ValueError):
        hash_pin("12")


def test_no_pin_configured_never_opens(tmp_path):
    assert not AssistPin(tmp_path, None).check("").ok


def test_home_division_from_id_number_and_address(catalog):
    places = Jurisdictions(catalog)
    by_id = places.propose(id_number="140522200111102011")
    assert by_id.reason == "id_number" and by_id.county.name == "阳城县"
    town = places.townships("140522")[0]
    by_address = places.propose(
        id_number="140522200111102011", address=f"山西省晋城市阳城县{town.name}东沟村"
    )
    assert by_address.reason == "address" and by_address.township.code == town.code
    fallback = places.propose(id_number="110101199001011234", station_code="CQ0100")
    assert fallback.reason == "station" and fallback.county is not None
    assert all(t.code.startswith("140522") for t in places.townships("140522"))


def test_checklist_follows_answers(catalog):
    matter = next(m for m in catalog.matters if questions(m))
    conditional = questions(matter)[0]
    without = {i.requirement.code for i in checklist(matter, {conditional.code: False}, {})}
    with_it = {i.requirement.code for i in checklist(matter, {conditional.code: True}, {})}
    assert conditional.code not in without and conditional.code in with_it
    items = checklist(matter, {}, {conditional.code: 5})
    assert all(not i.done for i in items if i.requirement.required)
