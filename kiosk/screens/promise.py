"""Promise and contact: the transfer slip's promise (附录 B) confirmed with an explicit
button, then (one thing at a time) a phone number on the keypad and how the result comes
back (mail, pickup, or, where the guide names an electronic result, printed by the
resident at any service-station kiosk). Submitting queues the application durably and
prints the receipt.
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from shared_schema import Delivery, SchemaError

from ..i18n import _
from ..ui import theme
from ..ui.hanzi_pad import HanziPad, PadSwitcher
from ..ui.keypad import Keypad, digit_pad
from ..ui.widgets import BigButton, Text, field, title
from ..visit.steps import Step
from ..visit.submit import promise_text
from .base import KioskScreen


class PromiseScreen(KioskScreen):
    title = "Promise"

    def on_pre_enter(self, *a: object) -> None:
        visit = self.ctx.flow.visit
        self.confirmed = visit.promise_confirmed_at is not None
        self.stage = "contact" if self.confirmed else "promise"
        self.note, self.pad_tab = "", 0
        self.options = self.ctx.service.delivery_options()
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
        self.address = field(_("Mailing address"), text=visit.mail_address or visit.applicant.address)
        if len(self.options) == 1:  # nothing to choose: say how it comes, not a button
            left.add_widget(Text(_("The result: ") + self.option_words(self.options[0]), bold=True))
            if self.options[0] is Delivery.pickup:
                left.add_widget(
                    Text(_("When it is ready, bring your receipt to this station to collect it."))
                )
        else:
            left.add_widget(Text(_("How do you want to receive the result? Tap one:")))
            for option in self.options:
                chosen = visit.delivery is option
                mark = "● " if chosen else "○ "
                left.add_widget(
                    BigButton(mark + self.option_words(option), lambda o=option: self.choose(o),
                              kind="primary" if chosen else "secondary")
                )  # fmt: skip
        if visit.delivery is Delivery.mail:
            left.add_widget(self.address)
        if visit.delivery is Delivery.electronic:
            how = _("When it is ready, print it at any service station kiosk with your receipt and ID card.")
            left.add_widget(Text(how))
        self.message = Text(self.note, color=theme.DANGER)
        left.add_widget(self.message)
        left.add_widget(BoxLayout())
        tabs = [(_("Type the phone number"), self.phone_pad)]
        if visit.delivery is Delivery.mail:
            tabs.append((_("Type the address"), lambda: HanziPad(self.address)))
        pads = PadSwitcher(
            tabs, active=min(self.pad_tab, len(tabs) - 1), on_select=lambda i: setattr(self, "pad_tab", i),
            size_hint_x=0.46,
        )  # fmt: skip
        main.add_widget(left)
        main.add_widget(pads)
        self.body.add_widget(main)

    @staticmethod
    def option_words(option: Delivery) -> str:
        if option is Delivery.pickup:
            return _("Pick up at this station")
        if option is Delivery.electronic:
            return _("Print it myself at any service station")
        return _("Mail it to me")

    def phone_pad(self) -> Keypad:
        self.pad = digit_pad(self.on_phone, max_len=13)
        self.pad.value = self.ctx.flow.visit.applicant.phone
        return self.pad

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
        self.pad_tab = 1 if option is Delivery.mail else 0  # the address is what to type next
        self.refresh()

    def actions(self) -> list[BigButton]:
        if self.stage == "promise":
            return []
        return [BigButton(_("Submit materials"), self.submit, size_hint_x=None, width=320)]

    def say(self, text: str) -> None:
        self.note = text
        if self.stage == "contact":
            self.message.text = text
        self.announce(text)

    def submit(self) -> None:
        if self.busy:
            return
        visit = self.ctx.flow.visit
        if not self.confirmed:
            self.say(_("Please confirm the promise first."))
            return
        problem = self.ctx.service.set_contact(visit.applicant.phone, visit.delivery, self.address.text)
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
