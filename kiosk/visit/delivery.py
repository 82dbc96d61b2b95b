"""How the result can come back, as the kiosk offers it (送达方式).

Mail and pickup as the guide lists them; ``electronic`` (print it at any service-station
kiosk with the receipt and the ID number) when the guide names an electronic result
(电子证照) or online delivery: the same rule as the workspace's complete form
(``sync_server.workspace.delivery.offers_electronic``).
"""

from __future__ import annotations

from shared_schema import Delivery, Matter, ResultKind

AT_KIOSK = (Delivery.pickup, Delivery.mail)


def offers_electronic(matter: Matter) -> bool:
    electronic_result = ResultKind.electronic_certificate in matter.result_kinds
    return electronic_result or Delivery.online in matter.delivery_options


def options(matter: Matter) -> list[Delivery]:
    """The choices in the guide's order, electronic last; pickup when the guide lists none."""
    offered = [d for d in matter.delivery_options if d in AT_KIOSK] or [Delivery.pickup]
    return offered + ([Delivery.electronic] if offers_electronic(matter) else [])
