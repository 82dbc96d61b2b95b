"""Identity: the ID card through the reader when the kiosk has one, else a camera scan
of the card, else the on-screen keypad; then the home jurisdiction, proposed and
confirmed with a tap (county → township).
"""

from __future__ import annotations

from dataclasses import astuple

from kivy.uix.boxlayout import BoxLayout

from .. import i18n
from ..i18n import _
from ..ui import theme
from ..ui.hanzi_pad import HanziPad, PadSwitcher
from ..ui.keypad import Keypad, digit_pad
from ..ui.widgets import BigButton, Text, field, scroll_list, title
from ..visit.steps import Step
from .base import KioskScreen, scan_trouble
from .identity_enterprise import applicant_line, build_enterprise, kind_tabs


class IdentityScreen(KioskScreen):
    title = "Identity"

    def __init__(self, ctx, **kw) -> None:
        super().__init__(ctx, **kw)
        self.stage = "who"  # who / where / county / township
        self.kind = "person"  # person / enterprise (matters open to enterprises)
        self.county: str | None = None
        self.note = ""
        self.typed_number = ""  # the ID number typed on the keypad
        self.pad_tab = 0  # which pad shows beside the form: the name's first

    def on_pre_enter(self, *a: object) -> None:
        self.reset()
        super().on_pre_enter(*a)

    def reset(self) -> None:
        """Where entering starts: the stage and kind the visit's applicant calls for."""
        a_ = self.ctx.flow.visit.applicant
        self.stage = "where" if a_.name and (a_.id_number or a_.uscc) else "who"
        self.kind = a_.kind.value if self.ctx.service.accepts_enterprises() else "person"
        self.note, self.typed_number, self.pad_tab = "", a_.id_number, 0

    def prepare(self) -> None:
        """Built while the resident reads the guide: the pinyin pad's ~40 keys took half of
        the guide → identity transition (72 of 182 ms)."""
        self.reset()
        super().prepare()

    def built_from(self) -> tuple:
        visit = self.ctx.flow.visit
        matter = visit.matter.code if visit.matter else None
        mine = (self.stage, self.kind, self.county, self.note, self.typed_number, self.pad_tab)
        return (i18n.language, theme.accessible, visit.visit_id, matter, astuple(visit.applicant), *mine)

    def switch_kind(self, kind: str) -> None:
        self.kind, self.note, self.pad_tab = kind, "", 0
        self.refresh()

    def prompt(self) -> str:
        if self.ctx.devices.id_reader.available:
            return _("Please put your ID card on the reader.")
        return _("Please put your ID card under the camera, or type your ID number.")

    def build(self) -> None:
        {
            "who": self.build_who,
            "where": self.build_where,
            "county": self.build_counties,
            "township": self.build_townships,
        }[self.stage]()

    # -- who --------------------------------------------------------------------------
    def build_who(self) -> None:
        applicant = self.ctx.flow.visit.applicant
        # the pads take the right half from top to bottom: the form and its title the left
        main = BoxLayout(orientation="horizontal", spacing=24)
        left = BoxLayout(orientation="vertical", spacing=12, size_hint_x=0.48)
        left.add_widget(title(_("Who is applying?")))
        self.body.add_widget(main)
        if self.ctx.service.accepts_enterprises():
            left.add_widget(kind_tabs(self))
            if self.kind == "enterprise":
                build_enterprise(self, main, left)
                return
        if self.ctx.devices.id_reader.available:
            left.add_widget(BigButton(_("Read my ID card"), self.read_card))
        left.add_widget(BigButton(_("Scan my ID card with the camera"), self.scan_card, kind="secondary"))
        left.add_widget(Text(_("Or type your name and ID number:")))
        self.name_field = field(_("Name"), text=applicant.name)
        left.add_widget(self.name_field)
        self.number_text = Text(self._shown_number(self.typed_number), size=theme.TITLE_PX, bold=True)
        left.add_widget(self.number_text)
        self.message = Text(self.note, color=theme.DANGER)
        left.add_widget(self.message)
        left.add_widget(BoxLayout())
        self.pads = PadSwitcher(
            [
                (_("Type the name"), lambda: HanziPad(self.name_field)),
                (_("Type the ID number"), self.number_pad),
            ],
            active=self.pad_tab,
            on_select=lambda i: setattr(self, "pad_tab", i),
            size_hint_x=0.52,
        )
        main.add_widget(left)
        main.add_widget(self.pads)

    def number_pad(self) -> Keypad:
        self.pad = digit_pad(self.on_number, with_x=True, max_len=18)
        self.pad.value = self.typed_number
        return self.pad

    @staticmethod
    def _shown_number(value: str) -> str:
        return _("ID number: ") + (value or "——")

    def on_number(self, value: str) -> None:
        self.typed_number = value
        self.number_text.text = self._shown_number(value)

    def read_card(self) -> None:
        self.message.text = _("Reading the card…")
        self.run_slow(self.ctx.devices.id_reader.read, self._card_read)

    def _card_read(self, card, error) -> None:
        if card is None or error:
            self.show_note(
                _("The card could not be read. Please scan it with the camera or type the number.")
            )
            return
        self._after(self.ctx.service.use_id_card(card))

    def scan_card(self) -> None:
        self._scan("id_card", _("The camera is not available. Please type your ID number."), self._scanned)

    def _scan(self, source: str, no_camera: str, done) -> None:
        """Capture now; the pipeline reads the document off the UI thread, then ``done``."""
        self.message.text = _("Checking the picture…")
        image = self.ctx.devices.camera.capture()
        if image is None:
            self.show_note(no_camera)
            return
        matter = self.ctx.flow.visit.matter
        self.run_slow(lambda: self.ctx.scanner.scan(image, source, matter), done)

    def _scanned(self, page, error) -> None:
        if error or page is None:
            self.show_note(scan_trouble(error))
            return
        if not page.ok and not page.fields.get("id_number"):
            self.show_note("；".join(msg for _code, msg in page.problems) or _("Please place the card flat."))
            return
        self._after(self.ctx.service.use_scanned_id(page))

    def confirm_typed(self) -> None:
        if self.kind == "enterprise":
            service = self.ctx.service
            self._after(service.set_enterprise(self.ent_name.text, self.ent_uscc.text, self.ent_rep.text))
            return
        self._after(self.ctx.service.set_identity(self.name_field.text, self.typed_number))

    def scan_licence(self) -> None:
        no_camera = _("The camera is not available. Please type the credit code.")
        self._scan("business_license", no_camera, self._licence)

    def _licence(self, page, error) -> None:
        if error or page is None:
            self.show_note(scan_trouble(error))
            return
        self._after(self.ctx.service.use_scanned_licence(page, self.ent_rep.text))

    def show_note(self, text: str) -> None:
        self.note = text
        self.message.text = text
        self.announce(text)

    def _after(self, problem: str | None) -> None:
        if problem:
            self.show_note(problem)
            return
        self.stage, self.note = "where", ""
        self.refresh()

    # -- where ------------------------------------------------------------------------
    def build_where(self) -> None:
        service = self.ctx.service
        applicant = self.ctx.flow.visit.applicant
        self.body.add_widget(title(_("Your home jurisdiction")))
        self.body.add_widget(Text(applicant_line(self)))
        proposal = service.propose_division()
        if not applicant.home_division and proposal.division_code:
            applicant.home_division = proposal.division_code
        chosen = service.jurisdictions.get(applicant.home_division) if applicant.home_division else None
        if chosen:
            county = service.jurisdictions.county_of(chosen.code)
            names = (
                chosen.name
                if county is None or county.code == chosen.code
                else f"{county.name} {chosen.name}"
            )
            self.body.add_widget(Text(_("We think your home jurisdiction is:"), size=theme.TEXT_PX))
            self.body.add_widget(Text(names, size=theme.TITLE_PX, bold=True, color=theme.PRIMARY))
            self.body.add_widget(
                Text(_("It decides which department handles your matter. Tap Confirm if it is right."))
            )
        else:
            self.body.add_widget(Text(_("Please choose your county and township."), color=theme.DANGER))
        self.body.add_widget(BigButton(_("Change"), self.change_place, kind="secondary", size_hint_x=0.4))
        self.body.add_widget(BoxLayout())

    def change_place(self) -> None:
        self.stage = "county"
        self.refresh()

    def build_counties(self) -> None:
        self.body.add_widget(title(_("Choose your county")))
        view, grid = scroll_list(cols=3)
        for county in self.ctx.service.jurisdictions.counties():
            grid.add_widget(
                BigButton(county.name, lambda c=county.code: self.pick_county(c), kind="secondary")
            )
        self.body.add_widget(view)

    def pick_county(self, code: str) -> None:
        self.county = code
        if self.ctx.service.jurisdictions.townships(code):
            self.stage = "township"
        else:
            self.ctx.service.confirm_division(code)
            self.stage = "where"
        self.refresh()

    def build_townships(self) -> None:
        assert self.county
        self.body.add_widget(title(_("Choose your township")))
        view, grid = scroll_list(cols=3)
        for town in self.ctx.service.jurisdictions.townships(self.county):
            grid.add_widget(BigButton(town.name, lambda c=town.code: self.pick_township(c), kind="secondary"))
        self.body.add_widget(view)

    def pick_township(self, code: str) -> None:
        self.ctx.service.confirm_division(code)
        self.stage = "where"
        self.refresh()

    # -- bar --------------------------------------------------------------------------
    def actions(self) -> list[BigButton]:
        if self.stage == "who":
            return [BigButton(_("Next"), self.confirm_typed, size_hint_x=None, width=240)]
        if self.stage == "where" and self.ctx.flow.visit.applicant.home_division:
            return [BigButton(_("Confirm"), self.confirm_place, size_hint_x=None, width=240)]
        return []

    def confirm_place(self) -> None:
        if self.ctx.service.identity_done():
            self.ctx.flow.go(Step.materials)

    def go_back(self) -> None:
        if self.stage in ("county", "township"):
            self.stage = "where" if self.stage == "county" else "county"
            self.refresh()
        elif self.stage == "where":
            self.stage = "who"
            self.refresh()
        else:
            super().go_back()
