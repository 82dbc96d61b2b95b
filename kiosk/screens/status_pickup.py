"""Status and pickup: scan the receipt's QR code or type its number; the state from the
local outbox and, when online, from the server; results waiting at this station are
handed over by staff (assist mode). A case waiting for correction offers 补交材料; a
result kept here or electronic offers 打印办理结果 after the ID check (the ID number typed
on the same pad, or the card on the reader). A feedback number (意见编号, digits) typed
instead shows the answer to that 意见建议.
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from shared_schema import ApplicantKind
from shared_schema.feedback_no import Parsed, looks_typed, parse

from ..i18n import _
from ..ui import theme
from ..ui.keypad import ReceiptPad
from ..ui.widgets import BigButton, Text, field, row, title
from ..visit.steps import Step
from ..visit.supplement import SupplementRefused
from ..visit.supplement_visit import SupplementVisit
from .base import KioskScreen, scan_trouble

CORRECTION_STATES = {"correction_requested"}
RESULT_STATES = {"completed", "delivered"}


class StatusPickupScreen(KioskScreen):
    title = "Progress"

    def __init__(self, ctx, **kw) -> None:
        super().__init__(ctx, **kw)
        self.lines: list[tuple[str, tuple]] = []
        self.number = ""
        self.id_number = ""
        self.typing = "receipt"  # which field the pad types into: receipt | id
        self.offers: set[str] = set()  # supplement, result: what this receipt can do here
        self.kind = ApplicantKind.person  # who proves the case is theirs: a person or an enterprise

    def prompt(self) -> str:
        return _("Hold your receipt's QR code under the camera, or type the number.")

    def build(self) -> None:
        self.body.add_widget(title(_("Check progress or pick up a result")))
        main = BoxLayout(orientation="horizontal", spacing=24)
        left = BoxLayout(orientation="vertical", spacing=10)
        scans = [BigButton(_("Scan the QR code on my receipt"), self.scan_qr)]
        if self.kind is ApplicantKind.person:  # the ID card instead of typing its number
            scans.append(BigButton(_("Scan my ID card"), self.scan_id, kind="secondary"))
        left.add_widget(row(*scans))
        self.number_field = field(_("Receipt number or feedback number"), text=self.number)
        left.add_widget(self.number_field)
        left.add_widget(self.kind_choice())
        enterprise = self.kind is ApplicantKind.enterprise
        label = (
            _("Unified social credit code (18 characters)")
            if enterprise
            else _("ID number (to print a result or look up elsewhere)")
        )
        self.id_field = field(label, text=self.id_number)
        left.add_widget(self.id_field)
        self.result_box = BoxLayout(orientation="vertical", spacing=6, size_hint_y=None)
        self.result_box.bind(minimum_height=self.result_box.setter("height"))  # right under the field
        left.add_widget(self.result_box)
        left.add_widget(BoxLayout())
        self.pad = ReceiptPad(self.on_key)
        self.pad.value = self.number if self.typing == "receipt" else self.id_number
        right = BoxLayout(orientation="vertical", size_hint_x=0.46)
        proof = _("Type the credit code") if enterprise else _("Type the ID number")
        other = proof if self.typing == "receipt" else _("Type the receipt number")
        right.add_widget(BigButton(other, self.switch_typing, kind="secondary"))
        right.add_widget(self.pad)
        right.add_widget(BoxLayout())
        main.add_widget(left)
        main.add_widget(right)
        self.body.add_widget(main)
        self.show_lines()

    def kind_choice(self) -> BoxLayout:
        """个人 / 单位: who proves it is their case — a person by the ID number, an
        enterprise by its unified social credit code."""
        choices = ((ApplicantKind.person, _("A person")), (ApplicantKind.enterprise, _("An enterprise")))
        return row(*(
            BigButton(("● " if self.kind is kind else "○ ") + words, lambda k=kind: self.choose_kind(k),
                      kind="primary" if self.kind is kind else "secondary", wrap=False)
            for kind, words in choices
        ))  # fmt: skip

    def choose_kind(self, kind: ApplicantKind) -> None:
        if kind is not self.kind:
            self.number, self.id_number = self.number_field.text, ""  # a number of the other kind goes
            self.kind = kind
            self.refresh()

    def on_key(self, value: str) -> None:
        if self.typing == "receipt":
            self.number_field.text = value
        else:
            self.id_field.text = value

    def switch_typing(self) -> None:
        self.number, self.id_number = self.number_field.text, self.id_field.text
        self.typing = "id" if self.typing == "receipt" else "receipt"
        self.refresh()

    def actions(self) -> list[BigButton]:
        offers = []
        if "supplement" in self.offers:
            offers.append(
                BigButton(
                    _("Hand in materials"), self.open_supplement, kind="ok", size_hint_x=None, width=260
                )
            )
        if "result" in self.offers:
            offers.append(
                BigButton(_("Print the result"), self.print_result, kind="ok", size_hint_x=None, width=260)
            )
        staff = BigButton(
            _("Staff hand-over"),
            lambda: self.ctx.flow.go(Step.assist),
            kind="secondary",
            size_hint_x=None,
            width=280,
        )
        # the bar holds five buttons at most: with the resident's own offers, staff use the header's 工作人员
        return [
            *offers,
            *([] if offers else [staff]),
            BigButton(_("Look up"), self.look_up, size_hint_x=None, width=220),
        ]

    def show_lines(self) -> None:
        self.result_box.clear_widgets()
        for text, colour in self.lines:
            self.result_box.add_widget(Text(text, color=colour))

    def scan_qr(self) -> None:
        image = self.ctx.devices.camera.capture()
        if image is None:
            self.lines = [(_("The camera sees nothing."), theme.DANGER)]
            self.show_lines()
            return
        self.run_slow(lambda: self.ctx.scanner.codes(image), self._codes)

    def scan_id(self) -> None:
        """The ID number read off the resident's card under the camera, into the ID field
        (then checked against the applicant exactly as a typed one)."""
        if self.busy:
            return
        image = self.ctx.devices.camera.capture()
        if image is None:
            self.lines = [(_("The camera sees nothing."), theme.DANGER)]
            self.show_lines()
            return
        self.run_slow(lambda: self.ctx.scanner.scan(image, "id_card", None), self._id_scanned)

    def _id_scanned(self, page, error) -> None:
        card = self.ctx.handovers.scanned_card(page) if page is not None and error is None else None
        if card is None:
            words = _("No ID number could be read. Place the card flat, or type the number.")
            self.lines = [(words, theme.DANGER)]
        else:
            self.id_field.text = self.id_number = card[1]
            if self.typing == "id":
                self.pad.value = card[1]
            self.lines = [(_("ID card read."), theme.OK_GREEN)]
            words = self.lines[0][0]
        self.show_lines()
        self.announce(words)

    def _codes(self, codes, error) -> None:
        if error or not codes:
            none_found = _("No QR code found. Please hold the receipt flat, or type the number.")
            self.lines = [(scan_trouble(error) if error else none_found, theme.DANGER)]
            self.show_lines()
            return
        self.pad.set(codes[0].strip())
        self.look_up()

    def look_up(self) -> None:
        number = self.number_field.text.strip().upper()
        self.number, self.id_number = number, self.id_field.text.strip().upper()
        if not number:
            return
        if self.ctx.feedback is not None and looks_typed(number):
            self.look_up_feedback(number)
            return
        local = self.ctx.outbox.status(number)
        handover = self.ctx.handovers.for_receipt(number)
        self.lines = []
        self.offers = self.offers_here(number, local.state if local else "")
        if self.ctx.results is not None and self.ctx.results.printable_here(number):
            self.lines.append((self.ctx.results.status(number), theme.OK_GREEN))
        if local:
            self.lines.append((_("At this kiosk: ") + local.message, theme.INK))
        supplied = self.ctx.supplements.submitted(number) if self.ctx.supplements is not None else None
        if supplied:  # the case still reads 需要补正 until the department has looked
            self.lines.append((supplied, theme.OK_GREEN))
        if handover:
            self.lines.append(
                (
                    _("Handed over on {at} by {staff}.").format(at=handover.at[:16], staff=handover.staff),
                    theme.OK_GREEN,
                )
            )
        if self.ctx.sync.online():
            self.lines.append((_("Asking the server…"), theme.MUTED))
            self.show_lines()
            asked = local.receipt_no if local else number  # a renumbered item: its new number
            work = lambda: (self.ctx.sync.live_status(asked), self.feedback_lines(number, True))  # noqa: E731
            self.run_slow(work, self._live)
            return
        if not local:
            self.lines.append(
                (_("Not found at this kiosk. The kiosk is offline; try again later."), theme.DANGER)
            )
        self.lines += self.feedback_lines(number, False)
        self.refresh_offers()

    def feedback_lines(self, number: str, online: bool) -> list[tuple[str, tuple]]:
        """意见建议 left with this receipt: waiting here, or the administrator's answer."""
        desk = self.ctx.feedback
        return [(line, theme.PRIMARY) for line in desk.answer_lines(number, online)] if desk else []

    def look_up_feedback(self, number: str) -> None:
        """意见建议 by its number: a typo refused at once; the answer asked when online."""
        desk, self.offers = self.ctx.feedback, set()
        assert desk is not None
        if parse(number)[0] is not Parsed.ok:  # the check digit says no: nothing to ask anyone
            self.lines = [(line, theme.DANGER) for line in desk.number_lines(number, False)]
            self.refresh_offers()
            self.announce(self.lines[0][0])
            return
        if not self.ctx.sync.online():
            self.lines = [(line, theme.PRIMARY) for line in desk.number_lines(number, False)]
            self.refresh_offers()
            return
        self.lines = [(_("Asking the server…"), theme.MUTED)]
        self.show_lines()
        self.run_slow(lambda: desk.number_lines(number, True), self._feedback_read)

    def _feedback_read(self, lines, error) -> None:
        words = lines if error is None and lines else [_("Please try again.")]
        self.lines = [(line, theme.PRIMARY if error is None else theme.DANGER) for line in words]
        self.refresh_offers()

    def _live(self, outcome, error) -> None:
        status, notes = outcome if outcome is not None else (None, [])
        self.lines = [line for line in self.lines if line[1] is not theme.MUTED]
        if status is not None and not error:
            self.lines.append((_("Latest: ") + status.message, theme.PRIMARY))
            self.offers |= self.offers_here(self.number, status.state, online=True)
        elif not self.lines:  # another station's case, or none: the server says only with the ID number
            self.lines.append((_("This station has no record of this number."), theme.INK))
            elsewhere = _("Applied at another station? Type your ID number, then choose below.")
            self.lines.append((elsewhere, theme.INK))
            self.offers |= {
                offer
                for offer, desk in (("supplement", self.ctx.supplements), ("result", self.ctx.results))
                if desk is not None
            }
        self.lines += notes
        self.refresh_offers()

    def refresh_offers(self) -> None:
        """The bar's buttons follow what the receipt allows (the typed text is kept)."""
        self.number, self.id_number = (
            self.number_field.text.strip().upper(),
            self.id_field.text.strip().upper(),
        )
        self.refresh()

    def offers_here(self, number: str, state: str, online: bool = False) -> set[str]:
        offers = set()
        supplements, results = self.ctx.supplements, self.ctx.results
        if supplements is not None and (self.notice_here(number) or self.correction_open(number, state)):
            offers.add("supplement")
        if results is not None and (results.printable_here(number) or (online and state in RESULT_STATES)):
            offers.add("result")
        return offers

    def correction_open(self, number: str, state: str) -> bool:
        """The case waits for a correction and no supplement for it waits here to be sent
        (until the department looks, the state still reads 需要补正)."""
        assert self.ctx.supplements is not None
        latest = self.ctx.supplements.queue.latest(number)
        return state in CORRECTION_STATES and (latest is None or latest.sent_at is not None)

    def notice_here(self, number: str) -> bool:
        """An open correction notice for this receipt, kept here (no network asked)."""
        assert self.ctx.supplements is not None
        try:
            self.ctx.supplements.find(number)
        except SupplementRefused:  # none here, answered already, or the case moved on
            return False
        return True

    # -- 补正 and results ---------------------------------------------------------------
    def open_supplement(self) -> None:
        desk = self.ctx.supplements
        if desk is None or self.busy:
            return
        number, id_number = self.number_field.text, self.id_field.text.strip() or None
        self.number, self.id_number = number.strip().upper(), (id_number or "").upper()  # kept for Back
        kind = self.kind
        self.run_slow(lambda: desk.find(number, id_number, kind), self._found)

    def _found(self, notice, error) -> None:
        if isinstance(error, SupplementRefused) or error is not None or notice is None:
            words = error.message_zh if isinstance(error, SupplementRefused) else _("Please try again.")
            self.lines = [(words, theme.DANGER)]
            self.show_lines()
            self.announce(words)
            return
        assert self.ctx.supplements is not None
        self.ctx.supplement_visit = SupplementVisit(self.ctx.supplements, notice)
        self.ctx.flow.go(Step.supplement)

    def print_result(self) -> None:
        desk = self.ctx.results
        if desk is None or self.busy:
            return
        number, typed = self.number_field.text.strip().upper(), self.id_field.text.strip().upper()
        missing = None
        if not typed and self.kind is ApplicantKind.enterprise:
            missing = _("Please type the credit code first.")
        elif not typed and desk.reader is None:
            missing = _("Please type your ID number first.")
        if missing:
            self.lines = [(missing, theme.DANGER)]
            self.show_lines()
            self.announce(missing)
            return
        self.lines = [(_("Checking and printing…"), theme.MUTED)]
        self.show_lines()
        kind = self.kind
        self.run_slow(lambda: desk.print_for_resident(number, typed or None, kind), self._result_printed)

    def _result_printed(self, answer, error) -> None:
        if error is not None or answer is None:
            words, colour = _("Printing failed: ") + type(error).__name__, theme.DANGER
        else:
            words, colour = answer.message_zh, theme.OK_GREEN if answer.ok else theme.DANGER
        self.lines = [(words, colour)]
        self.show_lines()
        self.announce(words)
