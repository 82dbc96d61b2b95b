"""Promise and contact: the transfer slip's promise (附录 B) confirmed with an explicit
button, then (one thing at a time) a phone number on the keypad and how the result comes
back (mail or pickup). Submitting queues the application durably and prints the receipt.
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from shared_schema import Delivery, SchemaError

from ..i18n import _
from ..ui import theme
from ..ui.keypad import digit_pad
from ..ui.widgets import BigButton, Text, field, row, title
from ..visit.steps import Step
from ..visit.submit import promise_text
from .base import KioskScreen


class PromiseScreen(KioskScreen):
    title = "Promise"

    def on_pre_enter(self, *a: object) -> None:
        visit = self.ctx.flow.visit
        self.confirmed = visit.promise_confirmed_at is not None
        self.stage = "contact" if self.confirmed else "promise"
        self.note = ""
        options = [d for d in visit.matter.delivery_options if d in (Delivery.mail, Delivery.pickup)]  # type: ignore[union-attr]
        self.options = options or [Delivery.pickup]
        if visit.delivery not in self.options:
            visit.delivery = self.options[0]
        super().on_pre_enter(*a)

    def prompt(self) -> str:
        return _("Please read the promise, confirm it, and enter your phone number.")

    def build(self) -> None:
        if self.stage == "promise":
            self.build_promise()
        else:
            self.build_contact()

    def build_promise(self) -> None:
        visit = self.ctx.flow.visit
        self.body.add_widget(title(_("Your promise")))
        self.body.add_widget(Text(promise_text(self.ctx.catalog, visit, self.ctx.kiosk), size=theme.LARGE_PX))
        label = _("I have read and confirm this promise")
        self.body.add_widget(
            BigButton(("✓ " + label) if self.confirmed else label, self.toggle_confirm, kind="ok", height=110)
        )
        self.body.add_widget(BoxLayout())

    def build_contact(self) -> None:
        visit = self.ctx.flow.visit
        main = BoxLayout(orientation="horizontal", spacing=24)
        left = BoxLayout(orientation="vertical", spacing=10)
        left.add_widget(title(_("How can we reach you?")))
        self.phone_text = Text(_("Phone: ") + (visit.applicant.phone or "——"), size=theme.TITLE_PX, bold=True)
        left.add_widget(self.phone_text)
        left.add_widget(Text(_("How do you want to receive the result?")))
        buttons = []
        for option in self.options:
            words = _("Pick up at this station") if option is Delivery.pickup else _("Mail it to me")
            kind = "primary" if visit.delivery is option else "secondary"
            buttons.append(BigButton(words, lambda o=option: self.choose(o), kind=kind))
        left.add_widget(row(*buttons))
        self.address = field(_("Mailing address"), text=visit.mail_address or visit.applicant.address)
        if visit.delivery is Delivery.mail:
            left.add_widget(self.address)
        self.message = Text(self.note, color=theme.DANGER)
        left.add_widget(self.message)
        left.add_widget(BoxLayout())
        self.pad = digit_pad(self.on_phone, max_len=13)
        self.pad.value = visit.applicant.phone
        pad_box = BoxLayout(orientation="vertical", size_hint_x=0.4)
        pad_box.add_widget(self.pad)
        pad_box.add_widget(BoxLayout())
        main.add_widget(left)
        main.add_widget(pad_box)
        self.body.add_widget(main)

    def on_phone(self, value: str) -> None:
        self.ctx.flow.visit.applicant.phone = value
        self.phone_text.text = _("Phone: ") + (value or "——")

    def toggle_confirm(self) -> None:
        """Confirming moves on to the contact details; the promise stays one tap back."""
        if not self.confirmed:
            self.ctx.service.confirm_promise()
            self.confirmed, self.stage = True, "contact"
        else:
            self.stage = "contact"
        self.refresh()

    def go_back(self) -> None:
        if self.stage == "contact":
            self.stage = "promise"
            self.refresh()
        else:
            super().go_back()

    def choose(self, option: Delivery) -> None:
        visit = self.ctx.flow.visit
        visit.mail_address = self.address.text
        visit.delivery = option
        self.refresh()

    def actions(self) -> list[BigButton]:
        if self.stage == "promise":
            return []
        return [BigButton(_("Submit materials"), self.submit, size_hint_x=None, width=320)]

    def say(self, text: str) -> None:
        self.note = text
        if self.stage == "contact":
            self.message.text = text

    def submit(self) -> None:
        if self.busy:
            return
        visit = self.ctx.flow.visit
        if not self.confirmed:
            self.say(_("Please confirm the promise first."))
            return
        problem = self.ctx.service.set_contact(self.pad.value, visit.delivery, self.address.text)
        if problem:
            self.say(problem)
            return
        self.message.color = theme.MUTED
        self.message.text = _("Saving and printing your receipt…")

        def work():
            done = self.ctx.service.finalize()
            outcome = self.ctx.printing.receipt(visit, done.receipt_no)
            return done, outcome

        self.run_slow(work, self.submitted)

    def submitted(self, result, error) -> None:
        if isinstance(error, SchemaError):
            self.say(_("Some details are not valid: ") + "; ".join(p.path for p in error.problems))
            return
        if error or result is None:
            self.say(_("The materials could not be saved. Please ask the staff."))
            return
        self.ctx.flow.go(Step.receipt)
