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
from ..ui.widgets import BigButton, Text, field, row

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


def build_enterprise(screen: IdentityScreen) -> None:
    applicant = screen.ctx.flow.visit.applicant
    ours = applicant.kind is ApplicantKind.enterprise
    main = BoxLayout(orientation="horizontal", spacing=24)
    left = BoxLayout(orientation="vertical", spacing=12)
    screen.ent_name = field(_("Enterprise name"), text=applicant.name if ours else "")
    screen.ent_uscc = field(_("Unified social credit code (18 characters)"), text=applicant.uscc)
    screen.ent_rep = field(_("Legal representative"), text=applicant.legal_representative)
    for widget in (screen.ent_name, screen.ent_uscc, screen.ent_rep):
        left.add_widget(widget)
    screen.message = Text(screen.note, color=theme.DANGER)
    left.add_widget(screen.message)
    left.add_widget(BoxLayout())
    right = BoxLayout(orientation="vertical", spacing=12, size_hint_x=0.42)
    right.add_widget(BigButton(_("Scan the business licence with the camera"), screen.scan_licence,
                               kind="secondary", height=120))  # fmt: skip
    right.add_widget(Text(_("Lay the licence flat under the camera; the credit code is read for you.")))
    right.add_widget(BoxLayout())
    main.add_widget(left)
    main.add_widget(right)
    screen.body.add_widget(main)


def applicant_line(screen: IdentityScreen) -> str:
    a = screen.ctx.flow.visit.applicant
    if a.kind is ApplicantKind.enterprise:
        return (
            _("Applicant: ") + f"{a.name}  {a.uscc}  " + _("legal representative ") + a.legal_representative
        )
    return _("Applicant: ") + f"{a.name}  {a.id_number[:6]}********{a.id_number[-4:]}"
