"""The scripted demo visit: two matters, one per handling mode, shown end to end.

1. 城乡居民基本养老保险参保登记 (home acceptance): found by typing "ylbx" in the search;
   the guide paged with 下一页; ID card scanned by the camera; a blurred capture rejected
   and retaken; one household-register page too few, told by the check, printed as a
   correction notice, then supplied, and a page opened large; receipt.
2. 跨省异地就医登记备案 (entrusted approval): found through its life-situation tile (医保看病);
   the accessibility mode turned on from the header; the name typed on the pinyin pad and
   the ID number on the keypad; conditional questions (with plain words beside the jargon)
   answered; rating skipped, which ends the visit and the mode.
Then the progress screen reads the first receipt's QR code, and staff log in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shared_schema import Delivery, HandlingMode, RatingReason
from shared_schema.forms import RATING_REASON_WORDS

from ..ui import theme
from ..ui.preview import Thumbnail
from ..visit import ime
from ..visit.situations import situations, takes
from ..visit.steps import Step
from .driver import Driver, ScriptError
from .papers import DemoPapers, receipt_qr_capture
from .signing import sign_if_asked

PENSION = "JC-RS-001"
DEMO_PIN = "123456"
STAFF_NAME = "李明"  # the village staff member in the demo


@dataclass
class VisitRecord:
    matter_code: str
    handling_mode: str
    receipt_no: str
    receipt_pdf: Path | None
    correction_pdf: Path | None = None
    retakes: int = 0
    rejected_message: str = ""  # what the quality gate said about the bad capture
    told_missing: list[str] = field(default_factory=list)  # the check's 一次性告知 lines
    accessible: dict = field(default_factory=dict)  # the accessibility mode, as the visit saw it
    typed_name: str = ""  # the name typed on the pinyin pad (the keypad identity)


@dataclass
class DemoResult:
    visits: list[VisitRecord] = field(default_factory=list)
    status_lines: list[str] = field(default_factory=list)  # after scanning the receipt's QR code
    typed_status_lines: list[str] = field(default_factory=list)  # after typing its number
    handover_message: str = ""  # what the assist screen said after recording the hand-over


def _entrusted_matter(driver: Driver) -> str:
    """An entrusted-approval matter in 医保 (else any) with few materials."""
    catalog = driver.app.ctx.catalog
    entrusted = [
        m for m in catalog.matters if m.handling_mode is HandlingMode.entrusted_approval and m.offline
    ]
    entrusted.sort(key=lambda m: (m.domain != "医保", len(m.guide.materials)))
    if not entrusted:
        raise ScriptError("the catalog has no entrusted-approval matter")
    return entrusted[0].code


def _capture_for(driver: Driver, code: str, paper: Path) -> bool:
    """Lay ``paper`` under the camera for material ``code`` and capture: accepted or not."""
    screen = driver.screen
    if screen.current != code:
        screen.select(code)
        driver.pump()
    visit = driver.app.ctx.flow.visit
    before = visit.page_count(code)
    driver.app.ctx.devices.camera.place(paper)
    driver.tap("Retake" if screen.retake else "Capture")
    driver.idle()
    return visit.page_count(code) > before


def _must_capture(driver: Driver, code: str, paper: Path) -> None:
    if not _capture_for(driver, code, paper):
        raise ScriptError(f"{paper.name} refused for {code}: {driver.screen.note[0]}")


def type_chinese(driver: Driver, text: str, shot: str | None = None) -> None:
    """Type ``text`` on the pinyin pad showing: each character's syllable, letter by
    letter, then the character among the candidates (turning their pages if needed)."""
    for index, ch in enumerate(text):
        for letter in ime.syllable_of(ch):
            driver.tap(letter)
        if shot and index == 0:
            driver.shot(shot)  # the candidates of the first syllable
        for _page in range(20):
            try:
                driver.tap(ch)
                break
            except ScriptError:
                driver.tap("More ›")
        else:
            raise ScriptError(f"{ch!r} never came among the candidates")


def _identity(driver: Driver, papers: DemoPapers, by_camera: bool) -> None:
    person = papers.person
    if by_camera:
        driver.app.ctx.devices.camera.place(papers.files["id_front"])
        driver.tap("Scan my ID card with the camera")
        driver.idle()
    if driver.screen.stage == "who":  # typed: the name on the pinyin pad, the number on the keypad
        driver.text_input(0).text = ""
        type_chinese(driver, person.name, shot="identity-pinyin")
        if driver.text_input(0).text != person.name:
            raise ScriptError(f"typed {person.name!r}, the field shows {driver.text_input(0).text!r}")
        driver.tap("Type the ID number")
        driver.screen.pad.set("")
        driver.type_keys(person.id_number)
        driver.shot("identity-keypad")
        driver.tap("Next")
    if driver.screen.stage != "where":
        raise ScriptError(f"identity not accepted: {driver.screen.note}")
    driver.shot("identity-jurisdiction")
    driver.tap("Confirm", expect=Step.materials)


DELIVERY_BUTTONS = {
    Delivery.mail: "Mail it to me",
    Delivery.electronic: "Print it myself at any service station",
}


def _promise(driver: Driver, papers: DemoPapers, prefer: tuple[Delivery, ...] = ()) -> None:
    """Confirm, type the phone, and pick the first of ``prefer`` the matter offers."""
    driver.shot("promise")
    driver.tap("I have read and confirm this promise")
    driver.screen.pad.set("")
    driver.type_keys(papers.person.phone)
    chosen = next((d for d in prefer if d in driver.screen.options), None)
    if chosen is not None and len(driver.screen.options) > 1:
        driver.tap(DELIVERY_BUTTONS[chosen])
        if chosen is Delivery.mail:
            driver.screen.address.text = papers.person.address
    driver.shot("promise-contact")
    driver.tap("Submit materials")
    driver.idle()
    driver.wait(lambda: driver.step is Step.receipt, 30, "the receipt screen")


def read_guide(driver: Driver) -> int:
    """Page through the guide with its 下一页 button; returns how many pages it had."""
    pages = 1
    while driver.screen.pager.more:
        driver.tap("Next page ▼")
        pages += 1
    return pages


def pension_visit(driver: Driver, papers: DemoPapers) -> VisitRecord:
    ctx = driver.app.ctx
    files = papers.files
    driver.shot("home")
    driver.tap("Search by name")
    driver.type_keys("ylbx")  # pinyin initials still find it
    driver.shot("home-search-ylbx")
    driver.tap(ctx.catalog.matter(PENSION).name, expect=Step.guide)
    driver.shot("guide")
    driver.tap("Next page ▼")
    driver.shot("guide-page-2")
    read_guide(driver)
    driver.tap("Start applying", expect=Step.identity)
    driver.shot("identity")
    _identity(driver, papers, by_camera=True)
    driver.shot("materials")
    retakes = 0
    _must_capture(driver, "id_card_front", files["id_front"])
    if _capture_for(driver, "id_card_back", files["id_back_blurred"]):
        raise ScriptError("a blurred capture was accepted")
    rejected = driver.screen.message.raw
    driver.shot("materials-retake")
    retakes += 1
    _must_capture(driver, "id_card_back", files["id_back"])
    _must_capture(driver, "household_register", files["register_head"])
    _must_capture(driver, "registration_form", files["pension_form"])
    driver.tap("Check my materials", expect=Step.check)
    if driver.screen.result.complete:
        raise ScriptError("the check passed with a household-register page missing")
    told = [issue.message for issue in driver.screen.result.issues]
    driver.shot("check-missing")
    driver.tap("Print this list")
    driver.idle()  # the notice is rendered in a child process
    correction = sorted((ctx.home / "prints").glob("correction-*.pdf"))
    driver.tap("Add materials", expect=Step.materials)
    _must_capture(driver, "household_register", files["register_self"])
    driver.shot("materials-pages")  # two register pages: review, reorder, delete
    thumb = next(w for w in driver.screen.walk(restrict=True) if isinstance(w, Thumbnail))
    thumb.dispatch("on_release")  # the page, large
    driver.pump(2)
    driver.shot("materials-page-large")
    driver.tap("Close")
    driver.tap("Check my materials", expect=Step.check)
    if not driver.screen.result.complete:
        raise ScriptError("still incomplete: " + "; ".join(i.message for i in driver.screen.result.issues))
    driver.shot("check-complete")
    driver.tap("Next: promise", expect=Step.promise)
    _promise(driver, papers)
    visit = ctx.flow.visit
    record = VisitRecord(
        PENSION,
        "home_acceptance",
        visit.receipt_no or "",
        visit.receipt_pdf,
        correction[-1] if correction else None,
        retakes,
        rejected,
        told,
    )
    driver.shot("receipt")
    driver.tap("Next", expect=Step.rating)
    driver.shot("rating")
    driver.tap("Feedback", expect=Step.feedback)  # 意见建议 from the rating too; Back returns to it
    driver.tap("Back", expect=Step.rating)
    driver.tap("5", expect=Step.home)
    return record


def entrusted_visit(driver: Driver, papers: DemoPapers) -> VisitRecord:
    ctx = driver.app.ctx
    code = _entrusted_matter(driver)
    matter = ctx.catalog.matter(code)
    tile = next(s for s, _m in situations(ctx.search.offered()) if takes(s, matter))
    driver.tap(tile.label)  # browsing by life situation
    driver.shot("home-situation")
    driver.tap(matter.name, expect=Step.guide)
    usual_idle_s = ctx.flow.idle_timeout_s
    driver.tap("Large text · voice")  # the accessibility mode, from the header
    driver.shot("guide-accessible")
    accessible = {
        "idle_timeout_s": [usual_idle_s, ctx.flow.idle_timeout_s],
        "said_on": list(getattr(ctx.devices.reader, "said", [])),
        "title_px": driver.screen.body.children[-1].font_size,  # the matter's name, a title
    }
    read_guide(driver)
    driver.tap("Start applying", expect=Step.identity)
    _identity(driver, papers, by_camera=False)
    while driver.screen.ctx.service.questions():
        driver.shot("materials-question")
        driver.tap("No")
    forms = {"id_card_front": "id_front", "id_card_back": "id_back"}
    for item in ctx.service.checklist():
        paper = files_for(papers, forms.get(item.requirement.code, "medical_form"))
        for _page in range(item.requirement.min_pages):
            _must_capture(driver, item.requirement.code, paper)
    driver.tap("Check my materials", expect=Step.check)
    if not driver.screen.result.complete:
        raise ScriptError("incomplete: " + "; ".join(i.message for i in driver.screen.result.issues))
    driver.tap("Next: promise", expect=Step.promise)
    _promise(driver, papers, prefer=(Delivery.electronic, Delivery.mail))
    visit = ctx.flow.visit
    record = VisitRecord(code, matter.handling_mode.value, visit.receipt_no or "", visit.receipt_pdf)
    record.typed_name = visit.applicant.name
    driver.tap("Next", expect=Step.rating)
    driver.tap("Skip", expect=Step.home)
    accessible["off_after_visit"] = not theme.accessible
    accessible["idle_after_visit_s"] = ctx.flow.idle_timeout_s
    record.accessible = accessible
    return record


def files_for(papers: DemoPapers, name: str) -> Path:
    return papers.files[name]


def type_receipt_no(driver: Driver, number: str, into: str = "number_field") -> None:
    """On the progress screen's keypad, switching between its digits and letters pages
    (``into``: the field it types into, the receipt number or the ID number)."""
    pad = driver.screen.pad
    pad.set("")
    for key in number:
        if key not in pad.keys:
            driver.tap(pad.switch_label)
        driver.tap(key)
    shown = getattr(driver.screen, into).text
    if shown != number:
        raise ScriptError(f"typed {number!r}, the field shows {shown!r}")


def status_and_staff(driver: Driver, papers: DemoPapers, receipt_no: str, result: DemoResult) -> None:
    ctx = driver.app.ctx
    driver.tap("Progress and pickup", expect=Step.status_pickup)
    type_receipt_no(driver, receipt_no)
    driver.tap("Look up")
    driver.idle()
    result.typed_status_lines = [text for text, _colour in driver.screen.lines]
    driver.shot("status-typed")
    driver.screen.pad.set("")
    qr = receipt_qr_capture(receipt_no, papers.files["id_front"].parent / "receipt-qr.jpg")
    ctx.devices.camera.place(qr)
    driver.tap("Scan the QR code on my receipt")
    driver.idle()
    driver.wait(lambda: not driver.screen.busy, 30)
    result.status_lines = [text for text, _colour in driver.screen.lines]
    driver.shot("status")
    driver.tap("Staff hand-over", expect=Step.assist)
    result.handover_message = hand_over(driver, receipt_no, papers.person.name, papers.person.id_number)
    driver.tap("Home", expect=Step.home)


def hand_over(
    driver: Driver, receipt_no: str, recipient: str, id_number: str, card: Path | None = None
) -> str:
    """On the assist screen: staff log in, record the hand-over (the names typed on the pinyin
    pad, the number set as scanned, the ID number on the keypad, or ``card``, the resident's
    ID card, scanned under the camera), the resident rates the handling (a reason ticked,
    then 5), staff log out. The screen's words after recording."""
    driver.type_keys(DEMO_PIN)
    driver.shot("assist-pin")  # a dot per digit typed
    driver.tap("Unlock")
    if not driver.screen.unlocked:
        raise ScriptError("the demo PIN was refused")
    driver.screen.handover_no.text = receipt_no
    driver.tap("Recipient")
    type_chinese(driver, recipient)
    driver.tap("Staff name")
    type_chinese(driver, STAFF_NAME)
    if card is not None:  # the number (and the name, when read) off the card
        driver.app.ctx.devices.camera.place(card)
        driver.tap("Scan the ID card")
        driver.idle()
        if driver.screen.handover_id.text != id_number:
            raise ScriptError(
                f"the scanned card gave {driver.screen.handover_id.text!r}: {driver.screen.note}"
            )
    else:
        driver.tap("ID number")
        driver.type_keys(id_number)  # checked with the receipt QR and the typed number
    driver.shot("assist")
    sign_if_asked(driver)  # 签收 on the touch screen (kiosk/scripted/signing.py)
    driver.tap("Record hand-over")
    message = driver.screen.message.raw
    if driver.screen.rating_for != receipt_no:
        raise ScriptError(f"the hand-over was not recorded: {message}")
    # the resident rates the handling (一事一评): a reason ticked, then the score
    driver.tap(RATING_REASON_WORDS[RatingReason.close_to_home])
    driver.shot("assist-rating")
    driver.tap("5")
    driver.tap("Log out")
    return message


def run_demo(driver: Driver, papers: DemoPapers) -> DemoResult:
    result = DemoResult()
    result.visits.append(pension_visit(driver, papers))
    result.visits.append(entrusted_visit(driver, papers))
    status_and_staff(driver, papers, result.visits[0].receipt_no, result)
    return result
