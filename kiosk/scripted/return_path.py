"""The scripted way back at the station (issue 11): what a resident does on the progress
screen when the department asked for a correction, or when the result waits here.

For every open correction notice in the kiosk's store: receipt number typed → 补交材料 →
the notice (also in the accessibility mode) → only the listed items captured → check →
confirm → the printed 补正材料接收凭证. For every result PDF kept here: receipt number
and the applicant's ID number typed on the pad → 打印办理结果, then staff hand it over and
the resident rates the handling. Residents who come to *another* station are named in
``TONGBAN_RETURN_ASKS`` (JSON: ``[{"receipt_no": …, "id_number": …, "want": "supplement" |
"result"}]``, what they bring and came for; an enterprise gives ``"uscc"`` instead of
``"id_number"`` and chooses 单位): the kiosk, online, asks the server with both.
A resident named in ``TONGBAN_RETURN_ID_CARDS`` (JSON: ``{ID number: image of the card}``)
brings the ID card: it is scanned under the camera at 打印办理结果 and at the hand-over
instead of typed. With ``TONGBAN_RETURN_JAM_PRINTER`` set, the printer fails for real at each supplement's
slip (its output folder made unwritable): the supplement stays queued once, the screen
says so, and 重新打印凭证 prints it once the printer is back. Back from the notice returns
to the progress screen, the number still typed; after Done the number is looked up again.
Used by the end-to-end test (``tongban kiosk run --script return``) and for the screenshots.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from shared_schema import ApplicantKind

from ..store.models import CorrectionNoticeRow, ReceivedResult
from ..ui import theme
from ..visit.steps import Step
from .driver import Driver, ScriptError
from .papers import DemoPapers
from .visits import DEMO_PIN, hand_over, type_receipt_no

ID_CARDS = "TONGBAN_RETURN_ID_CARDS"  # {ID number: capture of the card}: scanned, not typed
JAM_PRINTER = "TONGBAN_RETURN_JAM_PRINTER"  # set: each supplement slip fails first, then prints
# which demo paper answers a notice item (by its key); anything else: the register page
PAPER_FOR = {"registration_form": "pension_form", "id_card_front": "id_front", "id_card_back": "id_back"}


@dataclass
class ReturnResult:
    supplements: list[dict] = field(default_factory=list)  # receipt, items, slip PDF, messages
    prints: list[dict] = field(default_factory=list)  # receipt, the resident's message, PDF
    elsewhere: list[dict] = field(default_factory=list)  # the asks of residents from other stations
    mailings: list[dict] = field(default_factory=list)  # originals mailed (TONGBAN_RETURN_MAILINGS)


def _open_notices(driver: Driver) -> list[str]:
    desk = driver.app.ctx.supplements
    if desk is None:
        raise ScriptError("the kiosk has no supplement desk (no store)")
    with desk.queue.store.db.read() as s:
        numbers = sorted(set(s.scalars(select(CorrectionNoticeRow.receipt_no))))
    return [
        n
        for n in numbers
        if (notice := desk.queue.notice(n)) and not desk.queue.answered(n, notice.correction_round)
    ]


def _results_here(driver: Driver) -> list[str]:
    desk = driver.app.ctx.results
    if desk is None:
        return []
    with desk.store.db.read() as s:
        numbers = sorted(set(s.scalars(select(ReceivedResult.receipt_no))))
    return [n for n in numbers if desk.printable_here(n)]


def _applicant(driver: Driver, receipt_no: str) -> tuple[str, str]:
    """The resident's name and ID number (what they know; the kiosk holds the manifest)."""
    outbox = driver.app.ctx.outbox.outbox
    entry = outbox.find(receipt_no)
    if entry is None or entry.purged:
        raise ScriptError(f"no application kept for {receipt_no}")
    person = outbox.manifest(entry.client_uuid).applicant
    return person.name, person.id_number


def look_up(driver: Driver, receipt_no: str) -> None:
    if driver.step is not Step.status_pickup:
        driver.tap("Progress and pickup", expect=Step.status_pickup)
    type_receipt_no(driver, receipt_no)
    driver.tap("Look up")
    driver.idle()


def type_id(driver: Driver, id_number: str) -> None:
    """The ID number, or an enterprise's credit code when 单位 is chosen, on the pad."""
    enterprise = driver.screen.kind is ApplicantKind.enterprise
    driver.tap("Type the credit code" if enterprise else "Type the ID number")
    type_receipt_no(driver, id_number, into="id_field")


def supplement(
    driver: Driver, papers: DemoPapers, receipt_no: str, shots: str, id_number: str | None = None
) -> dict:
    look_up(driver, receipt_no)
    if id_number:  # another station: the lookup online needs the ID number too
        type_id(driver, id_number)
    driver.shot(f"{shots}-status-correction")
    driver.tap("Hand in materials")
    driver.idle()
    if driver.step is not Step.supplement:
        raise ScriptError(f"补交材料 did not open the notice: {driver.screen.lines}")
    screen = driver.screen
    driver.shot(f"{shots}-supplement-notice")
    driver.tap("Large text · voice")
    accessible = theme.accessible
    driver.shot(f"{shots}-supplement-notice-accessible")
    driver.tap("Large text · voice")
    driver.tap("Back", expect=Step.status_pickup)  # where the resident came from, number kept
    back = {"step": driver.step.value, "receipt_no": driver.screen.number_field.text}
    driver.tap("Hand in materials")
    driver.idle()
    if driver.step is not Step.supplement:
        raise ScriptError(f"补交材料 did not open the notice again: {driver.screen.lines}")
    screen = driver.screen
    messages = []
    for item in screen.visit.items:
        if screen.current != item.key:
            driver.tap(f"{screen.visit.items.index(item) + 1}. {item.text}")
        driver.app.ctx.devices.camera.place(papers.files[PAPER_FOR.get(item.key, "register_self")])
        driver.tap("Capture")
        driver.idle()
        messages.append(screen.note[0])
        if not screen.visit.count(item.key):
            raise ScriptError(f"the capture for {item.text} was refused: {screen.note[0]}")
    driver.shot(f"{shots}-supplement-scanned")
    driver.tap("Check my materials")
    driver.shot(f"{shots}-supplement-check")
    jam = _jam_printer(driver) if os.environ.get(JAM_PRINTER) else None
    driver.tap("Confirm and print")
    driver.idle()
    if screen.phase != "done":
        raise ScriptError(f"the supplement was not queued: {screen.note[0]}")
    jammed = None
    if jam is not None:  # the printer fails: queued all the same, and the slip again once it is back
        driver.shot(f"{shots}-supplement-not-printed")
        driver.tap("Print the slip again")
        driver.idle()
        jammed = {"printed": screen.visit.printed, "words": _texts(screen.body),
                  "queued": driver.app.ctx.supplements.queue.backlog().waiting}  # fmt: skip
        jam()
        driver.tap("Print the slip again")
        driver.idle()
    driver.shot(f"{shots}-supplement-done")
    header = driver.app.header.queue.text  # what waits to be sent, the supplement included
    done = screen.visit.confirmed
    driver.tap("Done", expect=Step.home)
    look_up(driver, receipt_no)  # the resident (or staff) asks again: the truth, not a second offer
    later = {"lines": [text for text, _colour in driver.screen.lines], "offers": sorted(driver.screen.offers)}
    driver.tap("Home", expect=Step.home)
    return {
        "receipt_no": receipt_no,
        "items": [m.key for m in done.manifest.materials],
        "slip_pdf": str(done.printed.pdf_path) if done.printed and done.printed.pdf_path else "",
        "capture_messages": messages,
        "accessible_seen": accessible,
        "back": back,
        "jammed": jammed,
        "header_queue": header,
        "later": later,
    }


def _jam_printer(driver: Driver):
    """Make the virtual printer fail for real: a plain file where its output folder goes
    (root cannot write there either). Returns what puts the printer back."""
    folder = driver.app.ctx.devices.printer.folder
    aside = folder.with_name(folder.name + ".jammed")
    if folder.exists():
        folder.rename(aside)
    folder.write_bytes(b"")

    def unjam() -> None:
        folder.unlink()
        if aside.exists():
            aside.rename(folder)

    return unjam


def _texts(widget) -> list[str]:
    """Every text shown under ``widget``, as written (before the line wrapping)."""
    texts = (getattr(w, "raw", getattr(w, "text", None)) for w in widget.walk(restrict=True))
    return [t for t in texts if isinstance(t, str) and t]


def print_result(
    driver: Driver, receipt_no: str, name: str, id_number: str, shots: str, hand_over_too: bool = True
) -> dict:
    look_up(driver, receipt_no)
    offers = sorted(driver.screen.offers)
    card = _id_card(id_number)
    if card is not None:  # the resident brought the ID card: scanned instead of typed
        driver.app.ctx.devices.camera.place(card)
        driver.tap("Scan my ID card")
        driver.idle()
        if driver.screen.id_field.text != id_number:
            raise ScriptError(f"the scanned card gave {driver.screen.id_field.text!r}: {driver.screen.lines}")
    else:
        type_id(driver, id_number)
    driver.shot(f"{shots}-status-result")
    driver.tap("Print the result")
    driver.idle()
    lines = [text for text, _colour in driver.screen.lines]
    driver.shot(f"{shots}-result-printed")
    prints = [str(p) for p in sorted((driver.app.ctx.home / "prints").glob(f"*{receipt_no}*"))]
    if not hand_over_too:  # an electronic result: nothing to hand over
        driver.tap("Home", expect=Step.home)
        return {"receipt_no": receipt_no, "offers": offers, "lines": lines, "prints": prints}
    # staff hand the printed result over (ID checked again), the resident rates the handling
    driver.tap("Staff", expect=Step.assist)
    handed = hand_over(driver, receipt_no, name, id_number, card)
    panel = assist_panel(driver, f"{shots}-assist-queue")
    driver.tap("Home", expect=Step.home)
    return {
        "receipt_no": receipt_no,
        "offers": offers,
        "lines": lines,
        "prints": prints,
        "handover_message": handed,
        "panel": panel,
    }


def _id_card(id_number: str) -> Path | None:
    """The capture of the resident's ID card, when ``TONGBAN_RETURN_ID_CARDS`` names one."""
    path = json.loads(os.environ.get(ID_CARDS, "{}")).get(id_number)
    return Path(path) if path else None


def assist_panel(driver: Driver, shot: str) -> dict:
    """Staff open the assist panel: what waits to be sent (the hand-over and the rating
    just queued among it) and the transfer deadline of the oldest unsent item."""
    driver.tap("Staff", expect=Step.assist)
    driver.type_keys(DEMO_PIN)
    driver.tap("Unlock")
    driver.shot(shot)
    seen = {"texts": _texts(driver.screen.body), "header_queue": driver.app.header.queue.text}
    driver.tap("Log out")
    return seen


def elsewhere(
    driver: Driver, papers: DemoPapers, receipt_no: str, id_number: str, want: str, enterprise: bool = False
) -> dict:
    """A resident from another station: both offers shown (the server tells another station
    nothing without the ID number); the one they came for is taken. An enterprise (单位)
    proves itself with its credit code (``id_number`` then holds it)."""
    look_up(driver, receipt_no)
    if enterprise:
        driver.tap("An enterprise")
    offers = sorted(driver.screen.offers)
    if want == "supplement" and want in offers:
        done = supplement(driver, papers, receipt_no, "elsewhere", id_number)
        return {"offers": offers, "supplement": done}
    if want == "result" and want in offers:
        printed = print_result(driver, receipt_no, "", id_number, "elsewhere", hand_over_too=False)
        return {"offers": offers, "print": printed}
    lines = [text for text, _colour in driver.screen.lines]
    driver.tap("Home", expect=Step.home)
    return {"offers": offers, "lines": lines}


def run_return(driver: Driver, papers: DemoPapers) -> ReturnResult:
    result = ReturnResult()
    for receipt_no in _open_notices(driver):
        result.supplements.append(supplement(driver, papers, receipt_no, "return"))
    for receipt_no in _results_here(driver):
        name, id_number = _applicant(driver, receipt_no)
        result.prints.append(print_result(driver, receipt_no, name, id_number, "return"))
    asks = json.loads(os.environ.get("TONGBAN_RETURN_ASKS", "[]"))
    if asks:
        sync = driver.app.ctx.sync
        driver.wait(sync.online, 60, "the kiosk to reach the server")
    for ask in asks:
        proof, enterprise = (ask["uscc"], True) if "uscc" in ask else (ask["id_number"], False)
        result.elsewhere.append(elsewhere(driver, papers, ask["receipt_no"], proof, ask["want"], enterprise))
    from .mailing import record_mailings  # staff at the assist screen (kiosk/scripted/mailing.py)

    result.mailings = record_mailings(driver)
    if not result.supplements and not result.prints and not result.elsewhere and not result.mailings:
        raise ScriptError("nothing to do: no open correction notice and no result kept here")
    return result
