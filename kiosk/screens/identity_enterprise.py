"""The identity step for an enterprise (企业申请人): credit code, name, legal representative.

Only for matters whose catalog entry accepts enterprises. The business licence can be
scanned (its QR code or printed credit code is read by the scan pipeline) or the three
fields typed; the credit code's check character is verified before the visit goes on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout

from shared_schema import ApplicantKind

from ..i18n import _
from ..ui import theme
from ..ui.hanzi_pad import HanziPad, PadSwitcher
from ..ui.keypad import code_pad
from ..ui.widgets import BigButton, Text, field, row

FIELD_H = 68  # three fields, the licence button and the tabs share the left half

if TYPE_CHECKING:
    from .identity import IdentityScreen


def kind_tabs(screen: IdentityScreen) -> BoxLayout:
    """个人 / 企业: who is applying, for matters open to both."""
    return row(
        BigButton(_("A person applies"), lambda: screen.switch_kind("person"),
                  kind="primary" if screen.kind == "person" else "secondary"),
        BigButton(_("An enterprise applies"), lambda: screen.switch_kind("enterprise"),
                  kind="primary" if screen.kind == "enterprise" else "secondary"),
    )  # fmt: skip


def build_enterprise(screen: IdentityScreen, main: BoxLayout, left: BoxLayout) -> None:
    """The form in ``left`` (under the title and the person/enterprise tabs), its pads beside."""
    applicant = screen.ctx.flow.visit.applicant
    ours = applicant.kind is ApplicantKind.enterprise
    left.add_widget(BigButton(_("Scan the business licence with the camera"), screen.scan_licence,
                              kind="secondary"))  # fmt: skip
    screen.ent_name = field(_("Enterprise name"), text=applicant.name if ours else "", height=FIELD_H)
    screen.ent_uscc = field(
        _("Unified social credit code (18 characters)"), text=applicant.uscc, height=FIELD_H
    )
    screen.ent_rep = field(_("Legal representative"), text=applicant.legal_representative, height=FIELD_H)
    for widget in (screen.ent_name, screen.ent_uscc, screen.ent_rep):
        left.add_widget(widget)
    screen.message = Text(screen.note, color=theme.DANGER)
    left.add_widget(screen.message)
    left.add_widget(BoxLayout())
    pads = PadSwitcher(
        [
            (_("Name"), lambda: HanziPad(screen.ent_name)),
            (_("Credit code"), lambda: code_pad(screen.ent_uscc, max_len=18)),
            (_("Representative"), lambda: HanziPad(screen.ent_rep)),
        ],
        active=screen.pad_tab,
        on_select=lambda i: setattr(screen, "pad_tab", i),
        size_hint_x=0.52,
    )
    main.add_widget(left)
    main.add_widget(pads)


def applicant_line(screen: IdentityScreen) -> str:
    a = screen.ctx.flow.visit.applicant
    if a.kind is ApplicantKind.enterprise:
        return (
            _("Applicant: ") + f"{a.name}  {a.uscc}  " + _("legal representative ") + a.legal_representative
        )
    return _("Applicant: ") + f"{a.name}  {a.id_number[:6]}********{a.id_number[-4:]}"
