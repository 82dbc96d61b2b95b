"""Village-staff assist mode behind a PIN: queue and sync state, force sync, reprint a
receipt, continue a resident's visit on their behalf, record a result hand-over (送达,
synced to the server) followed by the resident's rating at handling, and the kiosk's
health.
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from shared_schema import IdentityCheck, RatingReason
from shared_schema.forms import RATING_REASON_WORDS

from ..hardware.printer import Document
from ..i18n import _
from ..ui import theme
from ..ui.hanzi_pad import HanziPad, PadSwitcher
from ..ui.keypad import code_pad, digit_pad, digits_into
from ..ui.widgets import BigButton, Text, field, row, scroll_list, title
from ..visit.backbone import state_words
from ..visit.handover import HandoverRefused
from ..visit.steps import Step
from .assist_mailing import MailingForm
from .assist_signature import SignatureTab
from .base import KioskScreen
from .rating import LEVELS


class AssistScreen(KioskScreen):
    title = "Staff"

    def __init__(self, ctx, **kw) -> None:
        super().__init__(ctx, **kw)
        self.unlocked = False
        self.note = ("", theme.INK)
        self.rating_for: str | None = None  # a case just handed over: the resident rates it
        self.reasons: set[RatingReason] = set()
        self.card_number = ""  # the ID number last read from the card (reader or camera)
        self.card_how = IdentityCheck.id_card_reader  # how that card was read

    def on_pre_enter(self, *a: object) -> None:
        self.unlocked, self.note = False, ("", theme.INK)
        self.rating_for, self.reasons, self.card_number = None, set(), ""
        super().on_pre_enter(*a)

    def build(self) -> None:
        if not self.unlocked:
            self.build_pin()
        elif self.rating_for:
            self.build_rating()
        else:
            self.build_panel()

    # -- PIN --------------------------------------------------------------------------
    def build_pin(self) -> None:
        self.body.add_widget(title(_("Staff assist mode")))
        self.body.add_widget(Text(_("Enter the staff PIN.")))
        self.pin_text = Text(self.pin_dots(""), size=theme.TITLE_PX, bold=True)
        self.body.add_widget(self.pin_text)
        self.message = Text(self.note[0], color=self.note[1])
        self.body.add_widget(self.message)
        box = BoxLayout(orientation="horizontal")
        self.pad = digit_pad(
            lambda v: setattr(self.pin_text, "text", self.pin_dots(v)), max_len=12, extra=None
        )
        box.add_widget(self.pad)
        box.add_widget(BoxLayout())
        self.body.add_widget(box)

    @staticmethod
    def pin_dots(value: str) -> str:
        """A dot per digit typed, and the count in words: the PIN itself never shows."""
        if not value:
            return _("PIN: (nothing typed yet)")
        return _("PIN: ") + " ".join("●" * len(value)) + "  " + _("({n} digits)").format(n=len(value))

    def unlock(self) -> None:
        result = self.ctx.pin.check(self.pad.value)
        self.pad.set("")
        if result.ok:
            self.unlocked, self.note = True, ("", theme.INK)
        elif result.locked_for_s:
            self.note = (
                _("Too many wrong PINs. Locked for {s} seconds.").format(s=result.locked_for_s),
                theme.DANGER,
            )
        else:
            self.note = (_("Wrong PIN. {n} attempts left.").format(n=result.attempts_left), theme.DANGER)
        self.refresh()

    # -- panel ------------------------------------------------------------------------
    def build_panel(self) -> None:
        ctx = self.ctx
        view, grid = scroll_list(spacing=8)
        counts = ctx.outbox.counts()
        online = _("online") if ctx.sync.online() else _("offline")
        grid.add_widget(
            Text(
                _("Queue: {w} waiting, {s} sending, {f} failed ({o})").format(
                    w=counts.waiting, s=counts.sending, f=counts.failed, o=online
                ),
                bold=True,
            )
        )
        if counts.supplements or counts.handovers or counts.mailings or counts.evaluations or counts.feedback:
            of_which = _("of which {p} supplements, {h} hand-overs, {m} mailings, {e} ratings, {y} feedback")
            text = of_which.format(
                p=counts.supplements, h=counts.handovers, m=counts.mailings, e=counts.evaluations,
                y=counts.feedback,
            )  # fmt: skip
            grid.add_widget(Text(text))
        deadline = ctx.transfer.assist_line(counts)  # the 2-working-day promise at risk
        if deadline:
            grid.add_widget(Text(deadline, bold=True, color=theme.DANGER))
        for reason in counts.failed_reasons:
            grid.add_widget(Text("✗ " + reason, color=theme.DANGER))
        grid.add_widget(BigButton(_("Sync now"), self.force_sync))
        grid.add_widget(Text(_("Recent receipts:"), bold=True))
        for status in ctx.outbox.recent(limit=6):
            grid.add_widget(
                row(
                    Text(f"{status.receipt_no}  {state_words(status.state)}"),  # short: one button high
                    BigButton(
                        _("Reprint"),
                        lambda n=status.receipt_no: self.reprint(n),
                        kind="secondary",
                        size_hint_x=None,
                        width=200,
                    ),
                )
            )
        for line in ctx.handovers.held():
            grid.add_widget(Text("✗ " + _("Hand-over refused: ") + line, color=theme.DANGER))
        grid.add_widget(Text(_("Hand over a result:"), bold=True))
        self.handover_no = field(_("Receipt number"))
        self.handover_to = field(_("Recipient name"))
        self.handover_id = field(_("Recipient ID number"))
        self.handover_staff = field(_("Your name (staff)"))
        for widget in (self.handover_no, self.handover_to, self.handover_id, self.handover_staff):
            grid.add_widget(widget)
        grid.add_widget(
            row(
                BigButton(_("Read the ID card"), self.read_card, kind="secondary"),
                BigButton(_("Scan the ID card"), self.scan_card, kind="secondary"),
            )
        )
        # no keyboard on a kiosk: a pad for each hand-over field, the names in Chinese
        mailing = MailingForm(ctx.mailings, self.handover_staff, self.say) if ctx.mailings else None
        self.signing = SignatureTab()  # 签收: the recipient may sign (optional)
        pads = PadSwitcher(
            [
                (_("Receipt no."), lambda: code_pad(self.handover_no)),
                (_("Recipient"), lambda: HanziPad(self.handover_to)),
                (_("ID number"), lambda: digits_into(self.handover_id, with_x=True)),
                (_("Staff name"), lambda: HanziPad(self.handover_staff)),
                self.signing.tab(),
                *(mailing.pads() if mailing is not None else []),
            ],
            size_hint_x=0.52,
        )
        grid.add_widget(BigButton(_("Record hand-over"), self.record_handover, kind="ok"))
        if mailing is not None:
            mailing.add_to(grid)
        grid.add_widget(Text(_("Kiosk health:"), bold=True))
        for item in ctx.health():
            grid.add_widget(
                Text(
                    ("✓ " if item.ok else "✗ ") + f"{item.name}: {item.detail}",
                    color=theme.OK_GREEN if item.ok else theme.DANGER,
                )
            )
        left = BoxLayout(orientation="vertical", spacing=8, size_hint_x=0.48)
        left.add_widget(title(_("Staff assist mode")))  # the pads take the right side's full height
        left.add_widget(view)
        self.message = Text(self.note[0], color=self.note[1])
        left.add_widget(self.message)
        main = BoxLayout(orientation="horizontal", spacing=24)
        main.add_widget(left)
        main.add_widget(pads)
        self.body.add_widget(main)

    def say(self, text: str, colour=theme.OK_GREEN) -> None:
        self.note = (text, colour)
        self.message.text, self.message.color = text, colour

    def force_sync(self) -> None:
        self.ctx.sync.force()
        self.say(_("Sync started."))

    def reprint(self, receipt_no: str) -> None:
        pdfs = sorted((self.ctx.home / "prints").glob(f"receipt-{receipt_no}-*.pdf"))
        if not pdfs:
            self.say(_("No printed receipt is kept for {n}.").format(n=receipt_no), theme.DANGER)
            return
        outcome = self.ctx.printing.printer.print(
            Document("receipt", receipt_no, pdfs[-1].read_bytes(), qr=receipt_no)
        )
        self.say(
            _("Reprinted.") if outcome.ok else _("Printing failed: ") + outcome.detail,
            theme.OK_GREEN if outcome.ok else theme.DANGER,
        )

    def read_card(self) -> None:
        """Identity checked on the card reader: name and number come from the card."""
        card = self.ctx.handovers.read_card()
        if card is None:
            self.say(_("No ID card on the reader."), theme.DANGER)
            return
        self.handover_to.text, self.handover_id.text = card
        self.card_number, self.card_how = card[1], IdentityCheck.id_card_reader
        self.say(_("ID card read."))

    def scan_card(self) -> None:
        """Identity checked on the ID card under the camera (a kiosk without a card reader)."""
        if self.busy:
            return
        image = self.ctx.devices.camera.capture()
        if image is None:
            self.say(_("The camera sees nothing."), theme.DANGER)
            return
        self.say(_("Checking the picture…"), theme.MUTED)
        self.run_slow(lambda: self.ctx.scanner.scan(image, "id_card", None), self._card_scanned)

    def _card_scanned(self, page, error) -> None:
        card = self.ctx.handovers.scanned_card(page) if page is not None and error is None else None
        if card is None:
            self.say(_("No ID number could be read. Place the card flat, or type the number."), theme.DANGER)
            return
        name, number = card
        self.handover_id.text = number
        self.handover_to.text = name or self.handover_to.text
        self.card_number, self.card_how = number, IdentityCheck.scanned_id
        self.say(_("ID card read."))

    def record_handover(self) -> None:
        number = self.handover_id.text.strip().upper()
        how = (
            self.card_how if number and number == self.card_number else IdentityCheck.receipt_qr_and_id_number
        )
        try:
            entry = self.ctx.handovers.record(
                self.handover_no.text, self.handover_staff.text, self.handover_to.text, number, how,
                signature=self.signing.signature(),
            )  # fmt: skip
        except HandoverRefused as refused:
            self.say(refused.message, theme.DANGER)
            return
        self.rating_for, self.reasons = entry.receipt_no, set()
        self.note = (
            _("Hand-over of {n} recorded at {at}.").format(
                n=entry.receipt_no, at=entry.at[:16].replace("T", " ")
            ),
            theme.OK_GREEN,
        )
        self.refresh()

    # -- rating at handling (一事一评) ---------------------------------------------------
    def build_rating(self) -> None:
        self.body.add_widget(title(_("How was the handling of your application?")))
        self.message = Text(self.note[0], color=self.note[1])
        self.body.add_widget(self.message)
        self.body.add_widget(Text(_("Please rate it, or skip. Tick any reasons that apply.")))
        scores = [
            BigButton(
                f"{score}\n{_(LEVELS[score - 1])}", lambda s=score: self.rate(s), height=140, kind="secondary"
            )
            for score in range(1, 6)
        ]
        self.body.add_widget(row(*scores, height=140))
        toggles = [
            BigButton(
                ("✓ " if reason in self.reasons else "") + RATING_REASON_WORDS[reason],
                lambda r=reason: self.toggle_reason(r),
                kind="ok" if reason in self.reasons else "secondary",
            )
            for reason in RatingReason
        ]
        for start in range(0, len(toggles), 4):
            self.body.add_widget(row(*toggles[start : start + 4]))
        self.body.add_widget(BoxLayout())

    def toggle_reason(self, reason: RatingReason) -> None:
        self.reasons ^= {reason}
        self.refresh()

    def rate(self, score: int) -> None:
        assert self.rating_for is not None
        self.ctx.handovers.rate(self.rating_for, score, sorted(self.reasons))
        self.end_rating(_("Thank you. Your rating is recorded."))

    def end_rating(self, text: str) -> None:
        self.rating_for, self.reasons = None, set()
        self.note = (text, theme.OK_GREEN)
        self.refresh()

    def actions(self) -> list[BigButton]:
        if not self.unlocked:
            return [BigButton(_("Unlock"), self.unlock, size_hint_x=None, width=220)]
        if self.rating_for:
            skip = lambda: self.end_rating(_("Rating skipped."))  # noqa: E731
            return [BigButton(_("Skip"), skip, kind="secondary", size_hint_x=None, width=220)]
        buttons = [BigButton(_("Log out"), self.go_back, kind="secondary", size_hint_x=None, width=200)]
        back_to = self.ctx.flow.assist_return
        if back_to is not None and back_to not in (Step.home, Step.status_pickup):
            buttons.append(BigButton(_("Continue the visit"), self.go_back, size_hint_x=None, width=320))
        return buttons
